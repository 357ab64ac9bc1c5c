import Crypto

/// The Ed25519 private key that signs digests, in the text form `collector seal-keygen` writes:
/// `ed25519-private:` and 64 hex digits (the 32-byte seed).
///
/// Its description never shows the key.
public struct SealPrivateKey: Sendable, CustomStringConvertible {
    let key: Curve25519.Signing.PrivateKey
    static let prefix = "ed25519-private:"

    /// A new random key.
    public init() { key = Curve25519.Signing.PrivateKey() }

    /// Parses the text form; surrounding whitespace is ignored.
    public init(text: String) throws(SealKeyError) {
        let trimmed = text.trimmingWhitespace
        guard trimmed.hasPrefix(Self.prefix), let raw = SealHex.decode(String(trimmed.dropFirst(Self.prefix.count))), raw.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw SealKeyError("not an Ed25519 private key (expected \"\(Self.prefix)\" and 64 hex digits, as `collector seal-keygen` writes)")
        }
        self.key = key
    }

    /// The text form (a secret: write it only to a 0600 file).
    public var text: String { Self.prefix + SealHex.encode(key.rawRepresentation) }

    public var publicKey: SealPublicKey { SealPublicKey(key.publicKey) }

    public var description: String { "<seal private key \(publicKey.id)>" }

    /// The Ed25519 signature (64 bytes) of `bytes`.
    public func sign(_ bytes: [UInt8]) throws -> [UInt8] {
        Array(try key.signature(for: bytes))
    }
}

/// The Ed25519 public key that checks digests: `ed25519:` and 64 hex digits.
public struct SealPublicKey: Sendable, Hashable, CustomStringConvertible {
    let raw: [UInt8]
    static let prefix = "ed25519:"

    init(_ key: Curve25519.Signing.PublicKey) { raw = Array(key.rawRepresentation) }

    /// Parses the text form; surrounding whitespace is ignored.
    public init(text: String) throws(SealKeyError) {
        let trimmed = text.trimmingWhitespace
        guard trimmed.hasPrefix(Self.prefix), let raw = SealHex.decode(String(trimmed.dropFirst(Self.prefix.count))), raw.count == 32,
              (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw SealKeyError("not an Ed25519 public key (expected \"\(Self.prefix)\" and 64 hex digits, as `collector seal-keygen` prints)")
        }
        self.raw = raw
    }

    public var text: String { Self.prefix + SealHex.encode(raw) }

    /// A short name of the key written in every digest: the first 16 hex digits of SHA-256(key).
    public var id: String { String(SealHex.encode(SHA256.hash(data: raw)).prefix(16)) }

    public var description: String { text }

    /// Whether `signature` is this key's Ed25519 signature of `bytes`.
    public func isValidSignature(_ signature: [UInt8], for bytes: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(signature, for: bytes)
    }
}

public struct SealKeyError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

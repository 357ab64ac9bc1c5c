import Crypto

/// One link of a hash chain: 32 bytes, `SHA-256(previous link ‖ covered bytes of the record)`.
///
/// A value type without heap storage, so chaining a record allocates nothing.
public struct SealChain: Sendable, Hashable, CustomStringConvertible {
    var words: (UInt64, UInt64, UInt64, UInt64)

    /// The link before the first record of a sink (seq 1): 32 zero bytes.
    public static let genesis = SealChain(words: (0, 0, 0, 0))

    init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    /// From 32 bytes; nil for another length.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        self.words = words
    }

    /// From 64 hex digits (either case), without allocating.
    public init?(hex: UnsafeRawBufferPointer) {
        guard hex.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &words) { raw -> Bool in
            for index in 0..<32 {
                guard let high = SealHex.nibble(hex[2 * index]), let low = SealHex.nibble(hex[2 * index + 1]) else { return false }
                raw[index] = high << 4 | low
            }
            return true
        }
        guard valid else { return nil }
        self.words = words
    }

    public init?(hex: String) {
        guard let chain = Array(hex.utf8).withUnsafeBytes({ SealChain(hex: $0) }) else { return nil }
        self = chain
    }

    init(_ digest: SHA256.Digest) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in
            digest.withUnsafeBytes { source in target.copyMemory(from: source) }
        }
        self.words = words
    }

    /// The next link: SHA-256 of this link's 32 bytes followed by `covered`.
    public func next(covering covered: UnsafeRawBufferPointer) -> SealChain {
        var hasher = SHA256()
        withUnsafeBytes(of: words) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: covered)
        return SealChain(hasher.finalize())
    }

    public func next(covering covered: [UInt8]) -> SealChain {
        covered.withUnsafeBytes { next(covering: $0) }
    }

    public var bytes: [UInt8] { withUnsafeBytes(of: words) { Array($0) } }

    public var hex: String { SealHex.encode(bytes) }

    public func appendHex(to out: inout [UInt8]) {
        withUnsafeBytes(of: words) { SealHex.append($0, to: &out) }
    }

    public var description: String { hex }

    public static func == (lhs: SealChain, rhs: SealChain) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// A secret taken from the environment or a file, never from the pipeline file itself.
///
/// Its description never shows the value: it can be logged and printed safely.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The reference as written, e.g. `${env:KNIME_PASSWORD}`.
    public let reference: String
    /// The resolved value; empty in `validate` mode, where nothing is read.
    public let value: String

    public init(reference: String, value: String) {
        self.reference = reference
        self.value = value
    }

    public var description: String { "<secret \(reference)>" }
    public var debugDescription: String { description }
}

/// Resolves `${env:NAME}` and `${file:/path}` references.
public struct SecretResolver: Sendable {
    public enum Mode: Sendable {
        /// Check the syntax only (collector validate: no I/O beyond the pipeline files).
        case checkOnly
        /// Read environment variables and files.
        case resolve
    }

    public var mode: Mode
    public var environment: [String: String]

    public init(mode: Mode, environment: [String: String]) {
        self.mode = mode
        self.environment = environment
    }

    public enum Reference: Equatable, Sendable {
        case env(String)
        case file(String)
    }

    /// Parses a whole-string reference, or returns nil if the text is not one.
    public static func parse(_ text: String) -> Reference? {
        guard text.hasPrefix("${"), text.hasSuffix("}") else { return nil }
        let body = text.dropFirst(2).dropLast()
        if body.hasPrefix("env:") {
            let name = String(body.dropFirst(4))
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            return .env(name)
        }
        if body.hasPrefix("file:") {
            let path = String(body.dropFirst(5))
            guard path.hasPrefix("/") else { return nil }
            return .file(path)
        }
        return nil
    }

    /// The value of a reference, or an error message (which never contains the value).
    public func resolve(_ reference: Reference) -> Result<String, SecretError> {
        guard mode == .resolve else { return .success("") }
        switch reference {
        case .env(let name):
            guard let value = environment[name] else { return .failure(SecretError("environment variable \(name) is not set")) }
            return .success(value)
        case .file(let path):
            return SecretResolver.readSecretFile(path)
        }
    }

    static func readSecretFile(_ path: String) -> Result<String, SecretError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(SecretError("cannot read \(path): \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if n < 0 { return .failure(SecretError("cannot read \(path): \(String(cString: strerror(errno)))")) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > 1 << 20 { return .failure(SecretError("\(path) is larger than 1 MiB")) }
        }
        // A single trailing line break (as editors write) is not part of the secret.
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return .success(String(decoding: bytes, as: UTF8.self))
    }
}

public struct SecretError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// An error reported by libarchive (or by the wrapper's own checks), with the archive it concerns.
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    /// libarchive's errno-like code, or 0 for the wrapper's own checks.
    public var code: Int32
    public var message: String
    /// The archive file the error concerns.
    public var path: String

    public init(code: Int32 = 0, message: String, path: String) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { "\(path): \(message)" }
}

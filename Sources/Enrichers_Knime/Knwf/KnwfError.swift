/// Why a workflow archive was refused or could not be read.
public struct KnwfError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// The entry concerned, when there is one.
    public var entry: String?

    public init(_ message: String, entry: String? = nil) {
        self.message = message
        self.entry = entry
    }

    public var description: String {
        if let entry { return "workflow archive entry \"\(entry)\": \(message)" }
        return "workflow archive: \(message)"
    }
}

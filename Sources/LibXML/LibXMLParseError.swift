/// A parse error from libxml2, with the document's name and the line it happened on.
public struct LibXMLParseError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// The document's name as passed to the parser (a file or entry path).
    public var document: String
    public var line: Int

    public init(message: String, document: String, line: Int) {
        self.message = message
        self.document = document
        self.line = line
    }

    public var description: String { line > 0 ? "\(document):\(line): \(message)" : "\(document): \(message)" }
}

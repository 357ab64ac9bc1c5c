/// The error type of the collector and its components.
///
/// `isRetriable` tells the engine whether trying again can help (a broker that is down) or not (a
/// message the broker rejected).
public struct CollectorError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let configuration = Code("configuration")
        public static let io = Code("io")
        public static let connection = Code("connection")
        public static let timeout = Code("timeout")
        public static let rejected = Code("rejected")
        public static let protocolViolation = Code("protocol")
        public static let checkpoint = Code("checkpoint")
        public static let invalidInput = Code("invalid-input")
        public static let shutdown = Code("shutdown")
    }

    public var code: Code
    public var message: String
    public var isRetriable: Bool
    /// Where it happened (component name, file, URL): shown before the message.
    public var context: String?

    public init(_ code: Code, _ message: String, isRetriable: Bool = false, context: String? = nil) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
        self.context = context
    }

    public static func retriable(_ code: Code, _ message: String, context: String? = nil) -> CollectorError {
        CollectorError(code, message, isRetriable: true, context: context)
    }

    public var description: String {
        if let context { return "\(context): \(message)" }
        return message
    }
}

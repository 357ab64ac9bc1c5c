/// An error of the AMQP 1.0 client: what went wrong, where (the URL or address), and whether trying
/// again later can help.
public struct ProtonError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Bad settings found before any I/O (an unreadable CA file, an unknown SASL mechanism).
        case configuration
        /// Could not connect, TLS or SASL failed, or the connection was lost.
        case connection
        /// The broker refused or closed the link (e.g. an address it does not know).
        case link
        /// Opening, attaching or settling took longer than its time limit.
        case timeout
        /// The sender was shut down.
        case shutdown
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Whether the same request may succeed later: everything but bad configuration and shutdown.
    public var isRetriable: Bool { kind != .configuration && kind != .shutdown }

    public var description: String { message }
}

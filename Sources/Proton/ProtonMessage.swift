/// One message to send: always durable, with a string `message-id` and a content type; the body is
/// one AMQP data section.
public struct ProtonMessage: Sendable {
    public var id: String
    public var body: [UInt8]
    public var contentType: String

    public init(id: String, body: [UInt8], contentType: String) {
        self.id = id
        self.body = body
        self.contentType = contentType
    }
}

/// The final outcome of one message. `released` and `modified` never reach the caller: those
/// messages are sent again.
public enum ProtonOutcome: Sendable, Equatable {
    case accepted
    /// The broker refused the message for good; the text is its error condition.
    case rejected(String)
}

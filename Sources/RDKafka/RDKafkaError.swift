import CRDKafka

/// A librdkafka error: its code, name and text, and whether sending the message again can help.
///
/// Permanent (`isRetriable == false`): the broker or the client refuses this message as it is —
/// too large, invalid, an invalid or unknown topic (with auto-creation off), bad configuration.
/// Everything else (transport, timeouts, a full local queue, leader changes, authorization that an
/// operator may still fix) is retriable.
public struct RDKafkaError: Error, Sendable, CustomStringConvertible, Equatable {
    /// `rd_kafka_resp_err_t` value (negative: client-side, positive: broker error codes).
    public var code: Int32
    /// librdkafka's name for the code, e.g. `MSG_SIZE_TOO_LARGE`.
    public var name: String
    public var message: String
    public var isRetriable: Bool
    /// The producer is unusable after this error and has to be made anew.
    public var isFatal: Bool

    public init(code: Int32, message: String? = nil, isFatal: Bool = false) {
        self.code = code
        let error = rd_kafka_resp_err_t(rawValue: code)
        self.name = String(cString: rd_kafka_err2name(error))
        self.message = message ?? String(cString: rd_kafka_err2str(error))
        self.isFatal = isFatal || code == RD_KAFKA_RESP_ERR__FATAL.rawValue
        self.isRetriable = !RDKafkaError.permanentCodes.contains(code)
    }

    init(_ error: rd_kafka_resp_err_t, message: String? = nil) {
        self.init(code: error.rawValue, message: message)
    }

    /// A client-side configuration or usage error (not a librdkafka code).
    static func configuration(_ message: String) -> RDKafkaError {
        RDKafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message: message)
    }

    /// The local queue is full: wait for deliveries, then produce again.
    public var isQueueFull: Bool { code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue }

    static let permanentCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE.rawValue,
        RD_KAFKA_RESP_ERR_INVALID_MSG.rawValue,
        RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE.rawValue,
        RD_KAFKA_RESP_ERR_INVALID_RECORD.rawValue,
        RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE.rawValue,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION.rawValue,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue,
        RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC.rawValue,
        RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION.rawValue,
        RD_KAFKA_RESP_ERR_POLICY_VIOLATION.rawValue,
        RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT.rawValue,
        RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue,
        RD_KAFKA_RESP_ERR__BAD_MSG.rawValue,
    ]

    public var description: String { "\(name): \(message)" }
}

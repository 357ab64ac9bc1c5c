import Collector
import Tail

/// The `knox_audit` source's settings (see `KnoxAuditSourceFactory` for the keys and defaults).
public struct KnoxAuditConfiguration: Sendable {
    public enum EventID: String, Sendable, CaseIterable {
        /// A hash of the line's bytes: stable on re-read, unique per record (default).
        case line
        /// The REQUEST_ID column (what our own `knox` format writes there; Knox repeats a request's id
        /// on each of its records).
        case requestID = "request_id"
    }

    /// How the files are followed (absolute glob patterns, read_from, max_line_bytes, poll interval).
    public var tail: TailSettings
    /// Knox's EVENT_PUBLISHING_TIME pattern (`TimePattern` tokens).
    public var timeFormat: String
    /// The zone of times written without an offset: `local`, `UTC` or an IANA name.
    public var timezone: String
    public var eventID: EventID
    public var message: KnoxMessage.Mode
    /// The gateway's name put on events (application.host).
    public var host: String

    public init(tail: TailSettings, timeFormat: String = KnoxLayout.defaultTimeFormat, timezone: String = "local",
                eventID: EventID = .line, message: KnoxMessage.Mode = .auto, host: String) {
        self.tail = tail
        self.timeFormat = timeFormat
        self.timezone = timezone
        self.eventID = eventID
        self.message = message
        self.host = host
    }
}

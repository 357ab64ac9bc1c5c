import Collector
import Tail

/// The `denodo_audit` source's settings (see `DenodoAuditSourceFactory` for the keys and defaults).
public struct DenodoAuditConfiguration: Sendable {
    /// How the files are followed (absolute glob patterns, read_from, max_line_bytes, poll interval).
    public var tail: TailSettings
    /// The zone of times written without an offset: `local`, `UTC` or an IANA name.
    public var timezone: String
    /// The Scheduler's name put on events (application.host).
    public var host: String

    public init(tail: TailSettings, timezone: String = "local", host: String) {
        self.tail = tail
        self.timezone = timezone
        self.host = host
    }
}

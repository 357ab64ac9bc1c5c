import Collector
import Tail

/// Makes `denodo_audit` sources: Denodo Scheduler's audit trail as JSON lines (see `DenodoRecord` for
/// the mapping).
public struct DenodoAuditSourceFactory: SourceFactory {
    public init() {}
    public var type: String { "denodo_audit" }
    public var summary: String { "tails Denodo Scheduler's JSON audit file (scheduler-requests.json, size-rolled .1 … .7), one event per record" }

    public func configuration(_ config: ConfigSection) -> DenodoAuditConfiguration {
        let logsDir = config.string("logs_dir", default: "/opt/denodo/logs/scheduler", doc: "folder that relative `paths` are resolved against")
            ?? "/opt/denodo/logs/scheduler"
        let patterns = config.strings("paths", default: ["scheduler-requests.json*"],
                                      doc: "glob patterns of the audit file and its rolled files (.1 … .N); relative ones are under logs_dir")
        let readFrom = config.choice("read_from", ["beginning", "end"], default: "beginning", doc: "where to start when no checkpoint exists")
        let timezone = config.string("timezone", default: "local", doc: "zone of times without an offset: local, UTC or an IANA name") ?? "local"
        if !config.isDescribing {
            do { _ = try ZoneInfo.named(timezone) } catch {
                config.report("timezone", "\"\(timezone)\" is not a known time zone (\(error))")
            }
        }
        let maxLine = config.int("max_line_bytes", default: 1 << 20, range: 1024...(16 << 20), doc: "longer lines are counted, logged and skipped")
        let poll = config.int("poll_interval_ms", default: 1000, range: 10...600_000, doc: "how often files are looked at besides inotify wake-ups")
        let host = config.string("host", doc: "server name put on events (default: this machine's name)") ?? ProcessEnvironment.hostName()
        let paths = patterns.map { $0.hasPrefix("/") ? $0 : (logsDir.hasSuffix("/") ? logsDir : logsDir + "/") + $0 }
        return DenodoAuditConfiguration(
            tail: TailSettings(paths: paths, readFromEnd: readFrom == "end", maxLineBytes: maxLine, pollIntervalMilliseconds: poll),
            timezone: timezone, host: host)
    }

    public func makeSource(_ configuration: DenodoAuditConfiguration, context: ComponentContext) throws -> any Source {
        DenodoAuditSource(configuration: configuration)
    }
}

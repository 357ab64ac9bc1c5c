import Collector
import Tail

/// Makes `knox_audit` sources: Apache Knox's gateway audit log (`AuditLayout`), tailed.
///
/// Mapping: time = EVENT_PUBLISHING_TIME (in `time_format`, zone `timezone` unless the format has an
/// offset); id = hash of the line (`id_from: line`, REQUEST_ID then in attribute `request_id`) or
/// REQUEST_ID (`id_from: request_id`); application = TARGET_SERVICE_NAME / LOGGER_NAME / `host`;
/// actor id and name = USER_NAME, proxy user = PROXY_USER_NAME; action = ACTION with OUTCOME;
/// resource = RESOURCE_TYPE / RESOURCE_NAME; attributes: ROOT_REQUEST_ID, PARENT_REQUEST_ID and
/// SYSTEM_USER_NAME when not empty (`root_request_id`, `parent_request_id`, `system_user_name`),
/// then the message (`KnoxMessage`).
public struct KnoxAuditSourceFactory: SourceFactory {
    public init() {}
    public var type: String { "knox_audit" }
    public var summary: String { "tails Apache Knox's gateway-audit.log (date- or size-rolled) and emits one event per record" }

    public func configuration(_ config: ConfigSection) -> KnoxAuditConfiguration {
        let logsDir = config.string("logs_dir", default: "/var/log/knox", doc: "folder that relative `paths` are resolved against") ?? "/var/log/knox"
        let patterns = config.strings("paths", default: ["gateway-audit.log*"],
                                      doc: "glob patterns of the audit log and its rolled files (daily gateway-audit.log.YYYY-MM-DD or size-rolled .1 … .N); relative ones are under logs_dir")
        let readFrom = config.choice("read_from", ["beginning", "end"], default: "beginning",
                                     doc: "where to start when no checkpoint exists")
        let timeFormat = config.string("time_format", default: KnoxLayout.defaultTimeFormat,
                                       doc: "EVENT_PUBLISHING_TIME pattern: yyyy yy MM dd HH mm ss SSS XXX Z, other characters literal") ?? KnoxLayout.defaultTimeFormat
        if !config.isDescribing && KnoxTimeParser(pattern: timeFormat, zone: .utc) == nil {
            config.report("time_format", "\"\(timeFormat)\" is not a time pattern (tokens: yyyy yy MM dd HH mm ss SSS XXX Z)")
        }
        let timezone = config.string("timezone", default: "local", doc: "zone of times without an offset: local, UTC or an IANA name") ?? "local"
        if !config.isDescribing {
            do { _ = try ZoneInfo.named(timezone) } catch {
                config.report("timezone", "\"\(timezone)\" is not a known time zone (\(error))")
            }
        }
        let idFrom = config.choice("id_from", KnoxAuditConfiguration.EventID.allCases.map(\.rawValue), default: "line",
                                   doc: "event id: a hash of the line (stable on re-read) or the REQUEST_ID column (for files our knox format wrote)")
        let message = config.choice("message", KnoxMessage.Mode.allCases.map(\.rawValue), default: "auto",
                                    doc: "auto: name=value;… messages become attributes, others the attribute `message`; text: always `message`")
        let maxLine = config.int("max_line_bytes", default: 65_536, range: 1024...(8 << 20), doc: "longer lines are counted, logged and skipped")
        let poll = config.int("poll_interval_ms", default: 1000, range: 10...600_000,
                              doc: "how often files are looked at besides inotify wake-ups")
        let host = config.string("host", doc: "gateway name put on events (default: this machine's name)") ?? ProcessEnvironment.hostName()
        let paths = patterns.map { $0.hasPrefix("/") ? $0 : (logsDir.hasSuffix("/") ? logsDir : logsDir + "/") + $0 }
        return KnoxAuditConfiguration(
            tail: TailSettings(paths: paths, readFromEnd: readFrom == "end", maxLineBytes: maxLine, pollIntervalMilliseconds: poll),
            timeFormat: timeFormat, timezone: timezone,
            eventID: KnoxAuditConfiguration.EventID(rawValue: idFrom) ?? .line,
            message: KnoxMessage.Mode(rawValue: message) ?? .auto, host: host)
    }

    public func makeSource(_ configuration: KnoxAuditConfiguration, context: ComponentContext) throws -> any Source {
        KnoxAuditSource(configuration: configuration)
    }
}

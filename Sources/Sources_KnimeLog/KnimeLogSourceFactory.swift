import Collector

/// Makes `knime_log` sources: KNIME Server's Tomcat log, tailed, one event per finished job.
public struct KnimeLogSourceFactory: SourceFactory {
    public init() {}
    public var type: String { "knime_log" }
    public var summary: String { "tails KNIME Server's Tomcat log (localhost.*.log) and emits one event per finished job" }

    public func configuration(_ config: ConfigSection) -> KnimeLogConfiguration {
        let logsDir = config.string("logs_dir", default: "/opt/knime/server/logs",
                                    doc: "folder that relative `paths` are resolved against") ?? "/opt/knime/server/logs"
        let patterns = config.strings("paths", default: ["localhost.*.log"],
                                      doc: "glob patterns of the log files (Tomcat's date-named files); relative ones are under logs_dir")
        let readFrom = config.choice("read_from", ["beginning", "end"], default: "beginning",
                                     doc: "where to start when no checkpoint exists (an auditor never skips history: beginning)")
        let states = config.strings("states", default: KnimeJobState.defaultStates,
                                    doc: "job states that produce an event")
        for state in states where !KnimeJobState.all.contains(state) {
            config.report("states", "\"\(state)\" is not a KNIME job state (known: \(KnimeJobState.all.joined(separator: ", ")))")
        }
        let timezone = config.string("timezone", default: "local",
                                     doc: "zone of the log's timestamps: local or an IANA name such as Europe/Madrid") ?? "local"
        if !config.isDescribing {
            do {
                _ = try ZoneOffsetCache.zone(named: timezone)
            } catch {
                config.report("timezone", "\"\(timezone)\" is not a known time zone (\(error); use \"local\" or an IANA name such as \"Europe/Madrid\")")
            }
        }
        let maxLine = config.int("max_line_bytes", default: 65_536, range: 1024...(8 << 20),
                                 doc: "longer lines are counted, logged and skipped")
        let poll = config.int("poll_interval_ms", default: 1000, range: 10...600_000,
                              doc: "how often files are looked at besides inotify wake-ups (safety net)")
        let host = config.string("host", doc: "server name put on events (default: this machine's name)")
            ?? ProcessEnvironment.hostName()
        let encoding = config.choice("encoding", KnimeLogEncoding.allCases.map(\.rawValue), default: KnimeLogEncoding.utf8.rawValue,
                                     doc: "the log's encoding (Tomcat on Windows often writes iso-8859-1 or windows-1252); under utf-8 invalid bytes become U+FFFD and the event gets log_decoding")
        let paths = patterns.map { $0.hasPrefix("/") ? $0 : (logsDir.hasSuffix("/") ? logsDir : logsDir + "/") + $0 }
        return KnimeLogConfiguration(paths: paths, readFromEnd: readFrom == "end", states: Set(states), timezone: timezone,
                                     maxLineBytes: maxLine, pollIntervalMilliseconds: poll, host: host,
                                     encoding: KnimeLogEncoding(rawValue: encoding) ?? .utf8)
    }

    public func makeSource(_ configuration: KnimeLogConfiguration, context: ComponentContext) throws -> any Source {
        KnimeLogSource(configuration: configuration)
    }
}

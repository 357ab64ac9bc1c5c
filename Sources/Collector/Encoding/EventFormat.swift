/// The line formats the core owns, shared by the file, stdout and message sinks.
public enum EventFormat: Sendable, Hashable {
    case json
    case knox(KnoxLayout)

    public static let names = ["json", "knox"]

    /// Reads `format`, and for knox `time_format` and `timezone`, from a sink's configuration.
    public static func read(_ config: ConfigSection, default fallback: String = "json") -> EventFormat {
        read(config, default: fallback, alsoAccepted: []).format
    }

    /// Like `read(_:default:)`, for a sink that also has formats of its own (`alsoAccepted`, e.g.
    /// `xml`): returns the chosen name too; for those names `format` is `.json` and means nothing.
    public static func read(_ config: ConfigSection, default fallback: String = "json",
                            alsoAccepted: [String]) -> (format: EventFormat, name: String) {
        var doc = "json: one JSON object per line; knox: the Knox audit pipe layout"
        if alsoAccepted.contains("xml") { doc += "; xml: the auditEventList XML document" }
        let name = config.choice("format", names + alsoAccepted, default: fallback, doc: doc)
        let patternText = config.string("time_format", default: KnoxLayout.defaultTimeFormat,
                                        doc: "knox: time pattern (yyyy yy MM dd HH mm ss SSS XXX Z)") ?? KnoxLayout.defaultTimeFormat
        let zoneText = config.string("timezone", default: "local", doc: "knox: event | UTC | local | an IANA zone name") ?? "local"
        let pattern = TimePattern(patternText)
        if pattern == nil { config.report("time_format", "\"\(patternText)\" is not a supported time pattern") }
        let zone = OutputZone(zoneText)
        if zone == nil { config.report("timezone", "unknown time zone \"\(zoneText)\"") }
        guard name == "knox" else { return (.json, name) }
        return (.knox(KnoxLayout(timeFormat: pattern ?? TimePattern(KnoxLayout.defaultTimeFormat)!, zone: zone ?? .local)), name)
    }

    /// Appends one record and a line break.
    public func appendLine(_ event: AuditEvent, to out: inout [UInt8]) {
        switch self {
        case .json: EventJSONEncoder().append(event, to: &out)
        case .knox(let layout): layout.append(event, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
    }
}

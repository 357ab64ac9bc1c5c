import Collector

/// One Denodo Scheduler audit record (a JSON object) turned into an event.
///
/// Mapping: time = StartTime (else EndTime, else the collector's clock with attribute
/// `time_missing`); actor id and name = UserName, client ip = ClientIP, auth method =
/// UserAuthenticationMethod, session = SessionId; action = RequestType with outcome from State
/// (OK → success, ERROR → failure, WARNING → success, the warnings in attribute `Warnings`; missing
/// or other → unknown); resource = ElementTypes / AffectedElements (arrays joined by `,`, objects as
/// compact JSON); every other field, known or not, as an attribute under its own name in file
/// order (State included). Missing fields are left out. id = hash of the line.
enum DenodoRecord {
    static let mapped: Set<String> = ["StartTime", "UserName", "ClientIP", "UserAuthenticationMethod", "SessionId",
                                      "RequestType", "ElementTypes", "AffectedElements"]

    static func event(_ fields: [(key: String, value: JSONValue)], line: String, time: DenodoTime, host: String) -> AuditEvent {
        func text(_ key: String) -> String? {
            guard let value = fields.first(where: { $0.key == key })?.value else { return nil }
            let rendered = DenodoJSONText.text(value)
            return rendered.isEmpty ? nil : rendered
        }
        var attributes = Attributes()
        var when = fields.first { $0.key == "StartTime" }.flatMap { time.parse($0.value) }
        if when == nil { when = fields.first { $0.key == "EndTime" }.flatMap { time.parse($0.value) } }
        if when == nil { attributes.append("time_missing", "true") }
        for (key, value) in fields where !mapped.contains(key) {
            if case .null = value { continue }
            attributes.append(key, DenodoJSONText.text(value))
        }
        let outcome: Outcome
        switch text("State")?.uppercased() {
        case "OK", "WARNING": outcome = .success
        case "ERROR": outcome = .failure
        default: outcome = .unknown
        }
        let user = text("UserName")
        return AuditEvent(
            id: AuditEvent.deterministicID("denodo", line),
            time: when ?? EventTime.now(),
            actor: Actor(id: user, name: user, clientIP: text("ClientIP"), authMethod: text("UserAuthenticationMethod"),
                         session: text("SessionId")),
            action: Action(type: text("RequestType") ?? "UNKNOWN", outcome: outcome),
            resource: Resource(type: text("ElementTypes") ?? "", name: text("AffectedElements") ?? ""),
            application: Application(name: "Denodo", component: "Scheduler", host: host),
            attributes: attributes)
    }
}

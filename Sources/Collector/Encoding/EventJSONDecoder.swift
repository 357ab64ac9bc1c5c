/// Reads the JSON form `EventJSONEncoder` writes (and what other tools write in that shape): the
/// inverse of the encoder, so dead letters and JSON-lines audit files can be read back.
///
/// Required: `id`, `time` (RFC 3339), `action.type`. Everything else is optional; unknown keys are
/// ignored; attribute values may be strings, numbers, booleans or arrays of them.
public struct EventJSONDecoder: Sendable {
    public init() {}

    public struct DecodingError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public func decode(_ text: String) throws -> AuditEvent {
        let json: JSONValue
        do {
            json = try JSONParser.parse(text)
        } catch {
            throw DecodingError(description: "invalid JSON: \(error)")
        }
        return try decode(json)
    }

    public func decode(_ json: JSONValue) throws -> AuditEvent {
        guard case .object = json else { throw DecodingError(description: "expected an object, found \(json.kindName)") }
        func string(_ value: JSONValue?, _ place: String) throws -> String? {
            guard let value else { return nil }
            switch value {
            case .null: return nil
            case .string(let text): return text
            case .integer(let number): return String(number)
            case .number(let number): return String(number)
            case .bool(let flag): return String(flag)
            default: throw DecodingError(description: "\(place): expected a string, found \(value.kindName)")
            }
        }
        guard let id = try string(json["id"], "id"), !id.isEmpty else { throw DecodingError(description: "id: missing") }
        guard let timeText = try string(json["time"], "time") else { throw DecodingError(description: "time: missing") }
        guard let time = RFC3339.parse(timeText) else { throw DecodingError(description: "time: \"\(timeText)\" is not an RFC 3339 time") }
        let actor = json["actor"]
        let action = json["action"]
        guard let type = try string(action?["type"], "action.type") else { throw DecodingError(description: "action.type: missing") }
        let outcomeText = try string(action?["outcome"], "action.outcome") ?? "unknown"
        guard let outcome = Outcome(rawValue: outcomeText) else {
            throw DecodingError(description: "action.outcome: \"\(outcomeText)\" is not one of success, failure, unavailable, unknown")
        }
        var attributes = Attributes()
        if case .object(let members)? = json["attributes"] {
            for (name, value) in members {
                if case .array(let items) = value {
                    for (index, item) in items.enumerated() {
                        if let text = try string(item, "attributes.\(name)[\(index)]") { attributes.append(name, text) }
                    }
                } else if let text = try string(value, "attributes.\(name)") {
                    attributes.append(name, text)
                }
            }
        }
        return AuditEvent(
            id: id, time: time,
            actor: Actor(id: try string(actor?["id"], "actor.id"), name: try string(actor?["name"], "actor.name"),
                         proxyUser: try string(actor?["proxy_user"], "actor.proxy_user"),
                         clientIP: try string(actor?["client_ip"], "actor.client_ip"),
                         authMethod: try string(actor?["auth_method"], "actor.auth_method"),
                         session: try string(actor?["session"], "actor.session")),
            action: Action(type: type, outcome: outcome),
            resource: Resource(type: try string(json["resource"]?["type"], "resource.type") ?? "",
                               name: try string(json["resource"]?["name"], "resource.name") ?? ""),
            application: Application(name: try string(json["application"]?["name"], "application.name") ?? "",
                                     component: try string(json["application"]?["component"], "application.component") ?? "",
                                     host: try string(json["application"]?["host"], "application.host") ?? ""),
            attributes: attributes)
    }
}

extension RFC3339 {
    /// Parses `yyyy-MM-ddTHH:mm:ss[.fraction](Z|±HH:MM)` (also with a space or lowercase `t`/`z`).
    public static func parse(_ text: String) -> EventTime? {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for index in from..<(from + count) {
                guard (48...57).contains(b[index]) else { return nil }
                value = value * 10 + Int(b[index] - 48)
            }
            return value
        }
        guard b.count >= 20, let year = number(0, 4), b[4] == 45, let month = number(5, 2), b[7] == 45,
              let day = number(8, 2), [84, 116, 32].contains(b[10]), let hour = number(11, 2), b[13] == 58,
              let minute = number(14, 2), b[16] == 58, let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var nanosecond = 0
        if index < b.count, b[index] == 46 {
            index += 1
            var digits = 0
            while index < b.count, (48...57).contains(b[index]) {
                if digits < 9 { nanosecond = nanosecond * 10 + Int(b[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 where digits < 9 { nanosecond *= 10 }
        }
        guard index < b.count else { return nil }
        var offset = 0
        if b[index] == 90 || b[index] == 122 {
            index += 1
        } else if b[index] == 43 || b[index] == 45 {
            guard let hours = number(index + 1, 2), b.count > index + 3, b[index + 3] == 58,
                  let minutes = number(index + 4, 2) else { return nil }
            offset = (hours * 3600 + minutes * 60) * (b[index] == 45 ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        return EventTime(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59),
                         nanosecond: nanosecond, utcOffsetSeconds: Int32(offset))
    }
}

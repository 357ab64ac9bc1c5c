import Collector

/// A part of an event that a column can hold: `actor.client_ip`, `attributes.elapsed_ms`, `time`, ...
///
/// Column mappings name these in `value`; `EventField.parse` checks the name when the pipeline file
/// loads, so an unknown field is reported before anything runs.
public enum EventField: Sendable, Hashable, CustomStringConvertible {
    case id
    case time
    /// The origin's offset from UTC, in seconds east.
    case utcOffset
    case actorID, actorName, actorProxyUser, actorClientIP, actorAuthMethod, actorSession
    case actionType, outcome
    case resourceType, resourceName
    case applicationName, applicationComponent, applicationHost
    /// Every attribute, as a JSON object (repeated names become arrays), written by the core's encoder.
    case attributes
    /// One attribute's first value.
    case attribute(String)
    /// The whole event as the core's JSON form.
    case event
    /// A constant (log4j's `literal`).
    case literal(String)

    /// The names `value` accepts (besides `attributes.NAME`).
    public static let names: [(String, EventField)] = [
        ("id", .id), ("time", .time), ("time.utc_offset", .utcOffset),
        ("actor.id", .actorID), ("actor.name", .actorName), ("actor.proxy_user", .actorProxyUser),
        ("actor.client_ip", .actorClientIP), ("actor.auth_method", .actorAuthMethod), ("actor.session", .actorSession),
        ("action.type", .actionType), ("action.outcome", .outcome),
        ("resource.type", .resourceType), ("resource.name", .resourceName),
        ("application.name", .applicationName), ("application.component", .applicationComponent),
        ("application.host", .applicationHost),
        ("attributes", .attributes), ("event", .event),
    ]

    /// The field named `text`, or nil.
    public static func parse(_ text: String) -> EventField? {
        if let known = names.first(where: { $0.0 == text }) { return known.1 }
        if text.hasPrefix("attributes."), text.count > "attributes.".count {
            return .attribute(String(text.dropFirst("attributes.".count)))
        }
        return nil
    }

    public var description: String {
        switch self {
        case .attribute(let name): return "attributes.\(name)"
        case .literal(let text): return "literal \(JSONText.quoted(text))"
        default: return Self.names.first { $0.1 == self }?.0 ?? "?"
        }
    }

    /// What kind of value the field gives, for the type checks made at start.
    public var kind: FieldValue.Kind {
        switch self {
        case .time: return .time
        case .utcOffset: return .integer
        case .attributes, .event: return .json
        default: return .text
        }
    }

    /// The field's value in `event`.
    public func value(in event: AuditEvent) -> FieldValue {
        switch self {
        case .id: return .text(event.id)
        case .time: return .time(event.time)
        case .utcOffset: return .integer(Int64(event.time.utcOffsetSeconds))
        case .actorID: return event.actor.id.map(FieldValue.text) ?? .null
        case .actorName: return event.actor.name.map(FieldValue.text) ?? .null
        case .actorProxyUser: return event.actor.proxyUser.map(FieldValue.text) ?? .null
        case .actorClientIP: return event.actor.clientIP.map(FieldValue.text) ?? .null
        case .actorAuthMethod: return event.actor.authMethod.map(FieldValue.text) ?? .null
        case .actorSession: return event.actor.session.map(FieldValue.text) ?? .null
        case .actionType: return .text(event.action.type)
        case .outcome: return .text(event.action.outcome.rawValue)
        case .resourceType: return .text(event.resource.type)
        case .resourceName: return .text(event.resource.name)
        case .applicationName: return .text(event.application.name)
        case .applicationComponent: return .text(event.application.component)
        case .applicationHost: return .text(event.application.host)
        case .attributes: return .json(AttributesJSON.encode(event.attributes))
        case .attribute(let name): return event.attributes[name].map(FieldValue.text) ?? .null
        case .event: return .json(EventJSONEncoder().encode(event))
        case .literal(let text): return .text(text)
        }
    }
}

/// A field's value before it is converted to a column's type.
public enum FieldValue: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)
    case time(EventTime)
    /// JSON text.
    case json(String)

    public enum Kind: String, Sendable {
        case text, integer, time, json
    }
}

/// The attributes object of the core's JSON form (`{"jobId":"…","paths":["a","b"]}`), cut out of
/// `EventJSONEncoder`'s output so both always agree (never `JSONEncoder`).
public enum AttributesJSON {
    private static let carrier = AuditEvent(id: "", time: EventTime(nanosecondsSinceEpoch: 0),
                                            action: Action(type: "", outcome: .unknown))
    /// Bytes before the attributes object in the carrier's JSON (its ending is `{}}` when empty).
    private static let prefixLength: Int = {
        var out: [UInt8] = []
        EventJSONEncoder().append(carrier, to: &out)
        return out.count - 3
    }()

    public static func encode(_ attributes: Attributes) -> String {
        var event = carrier
        event.attributes = attributes
        var out: [UInt8] = []
        EventJSONEncoder().append(event, to: &out)
        return String(decoding: out[prefixLength..<(out.count - 1)], as: UTF8.self)
    }
}

/// The Knox gateway audit layout (`org.apache.knox.gateway.audit.log4j.layout.AuditLayout`):
///
/// `EVENT_PUBLISHING_TIME ROOT_REQUEST_ID|PARENT_REQUEST_ID|REQUEST_ID|LOGGER_NAME|TARGET_SERVICE_NAME|USER_NAME|PROXY_USER_NAME|SYSTEM_USER_NAME|ACTION|RESOURCE_TYPE|RESOURCE_NAME|OUTCOME|LOGGING_MESSAGE`
///
/// Mapping: REQUEST_ID = event id, LOGGER_NAME = application component, TARGET_SERVICE_NAME =
/// application name, USER_NAME = actor name (or id), PROXY_USER_NAME = actor proxy user, ACTION =
/// action type, RESOURCE_* = resource, OUTCOME = outcome, LOGGING_MESSAGE = the attributes as
/// `name=value` joined by `;`. ROOT/PARENT_REQUEST_ID and SYSTEM_USER_NAME come from attributes of
/// those names when present (and are then left out of the message), else empty, as Knox writes them.
///
/// Escaping keeps one record per line and the columns unambiguous: inside values `\` → `\\`,
/// `|` → `\|`, LF → `\n`, CR → `\r`, tab → `\t`, other control characters → `\xHH`; inside the
/// message, `;` and `=` of names and values are also preceded by `\`.
public struct KnoxLayout: Sendable, Hashable {
    public var timeFormat: TimePattern
    public var zone: OutputZone

    public static let defaultTimeFormat = "yy/MM/dd HH:mm:ss"
    static let columnAttributes: Set<String> = ["root_request_id", "parent_request_id", "system_user_name"]

    public init(timeFormat: TimePattern = TimePattern(KnoxLayout.defaultTimeFormat)!, zone: OutputZone = .local) {
        self.timeFormat = timeFormat
        self.zone = zone
    }

    public func encode(_ event: AuditEvent) -> String {
        var out: [UInt8] = []
        append(event, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one record (no line break).
    public func append(_ event: AuditEvent, to out: inout [UInt8]) {
        timeFormat.append(zone.apply(event.time), to: &out)
        out.append(UInt8(ascii: " "))
        let attributes = event.attributes
        field(attributes["root_request_id"] ?? "", &out)
        field(attributes["parent_request_id"] ?? "", &out)
        field(event.id, &out)
        field(event.application.component, &out)
        field(event.application.name, &out)
        field(event.actor.name ?? event.actor.id ?? "", &out)
        field(event.actor.proxyUser ?? "", &out)
        field(attributes["system_user_name"] ?? "", &out)
        field(event.action.type, &out)
        field(event.resource.type, &out)
        field(event.resource.name, &out)
        field(event.action.outcome.rawValue, &out)
        var first = true
        for element in attributes where !Self.columnAttributes.contains(element.name) {
            if !first { out.append(UInt8(ascii: ";")) }
            first = false
            Self.escape(element.name, message: true, &out)
            out.append(UInt8(ascii: "="))
            Self.escape(element.value, message: true, &out)
        }
    }

    private func field(_ value: String, _ out: inout [UInt8]) {
        Self.escape(value, message: false, &out)
        out.append(UInt8(ascii: "|"))
    }

    static func escape(_ value: String, message: Bool, _ out: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                let special = byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "|")
                    || (message && (byte == UInt8(ascii: ";") || byte == UInt8(ascii: "=")))
                guard special else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                appendEscape(byte, &out)
                start = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }

    private static func appendEscape(_ byte: UInt8, _ out: inout [UInt8]) {
        switch byte {
        case 0x0A: out += [0x5C, UInt8(ascii: "n")]
        case 0x0D: out += [0x5C, UInt8(ascii: "r")]
        case 0x09: out += [0x5C, UInt8(ascii: "t")]
        case 0x00..<0x20, 0x7F:
            let hex: StaticString = "0123456789abcdef"
            hex.withUTF8Buffer { digits in
                out += [0x5C, UInt8(ascii: "x"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            }
        default: out += [0x5C, byte]
        }
    }
}

/// In which offset times are shown: the event's own, UTC, the machine's, or a named zone.
///
/// Offsets come from `ZoneInfo` (the system's TZif files), never from Foundation, so no ICU data is
/// loaded; a named zone is read once and cached.
public enum OutputZone: Sendable, Hashable {
    case event
    case utc
    case local
    case named(String)

    /// Parses `event`, `UTC`, `local` or an IANA name; nil for an unknown zone.
    public init?(_ text: String) {
        switch text {
        case "event": self = .event
        case "UTC", "utc", "Z": self = .utc
        case "local": self = .local
        default:
            guard (try? ZoneInfo.named(text)) != nil else { return nil }
            self = .named(text)
        }
    }

    public func apply(_ time: EventTime) -> EventTime {
        switch self {
        case .event: return time
        case .utc: return time.inOffset(0)
        case .local: return time.inOffset(ZoneInfo.local.offset(atUTC: time.secondsSinceEpoch))
        case .named(let name):
            let zone = (try? ZoneInfo.named(name)) ?? ZoneInfo.local
            return time.inOffset(zone.offset(atUTC: time.secondsSinceEpoch))
        }
    }
}

/// A small date pattern in the SimpleDateFormat style: `yyyy yy MM dd HH mm ss SSS` and the offsets
/// `XXX` (+02:00) and `Z` (+0200); any other character is copied, text in single quotes verbatim.
public struct TimePattern: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case literal([UInt8]), year4, year2, month, day, hour, minute, second, millisecond, offsetColon, offsetPlain
    }

    let tokens: [Token]
    public let pattern: String

    public init?(_ pattern: String) {
        self.pattern = pattern
        var tokens: [Token] = []
        var characters = Array(pattern)
        var index = 0
        func run(_ c: Character) -> Int {
            var n = 0
            while index + n < characters.count, characters[index + n] == c { n += 1 }
            return n
        }
        while index < characters.count {
            let c = characters[index]
            let n = run(c)
            let token: Token
            switch (c, n) {
            case ("y", 4): token = .year4
            case ("y", 2): token = .year2
            case ("M", 2): token = .month
            case ("d", 2): token = .day
            case ("H", 2): token = .hour
            case ("m", 2): token = .minute
            case ("s", 2): token = .second
            case ("S", 3): token = .millisecond
            case ("X", 3): token = .offsetColon
            case ("Z", 1): token = .offsetPlain
            case ("'", _):
                guard let close = characters[(index + 1)...].firstIndex(of: "'") else { return nil }
                tokens.append(.literal(Array(String(characters[(index + 1)..<close]).utf8)))
                index = close + 1
                continue
            default:
                if c.isLetter { return nil }
                token = .literal(Array(String(repeating: c, count: n).utf8))
            }
            tokens.append(token)
            index += n
        }
        characters.removeAll()
        self.tokens = tokens
    }

    public func format(_ time: EventTime) -> String {
        var out: [UInt8] = []
        append(time, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func append(_ time: EventTime, to out: inout [UInt8]) {
        let c = time.civil
        for token in tokens {
            switch token {
            case .literal(let bytes): out += bytes
            case .year4: RFC3339.appendDigits(c.year, 4, &out)
            case .year2: RFC3339.appendDigits(c.year % 100, 2, &out)
            case .month: RFC3339.appendDigits(c.month, 2, &out)
            case .day: RFC3339.appendDigits(c.day, 2, &out)
            case .hour: RFC3339.appendDigits(c.hour, 2, &out)
            case .minute: RFC3339.appendDigits(c.minute, 2, &out)
            case .second: RFC3339.appendDigits(c.second, 2, &out)
            case .millisecond: RFC3339.appendDigits(c.nanosecond / 1_000_000, 3, &out)
            case .offsetColon: RFC3339.appendOffset(c.utcOffsetSeconds, zulu: false, &out)
            case .offsetPlain:
                var colon: [UInt8] = []
                RFC3339.appendOffset(c.utcOffsetSeconds, zulu: false, &colon)
                out += colon.filter { $0 != UInt8(ascii: ":") }
            }
        }
    }
}

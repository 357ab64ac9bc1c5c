import Collector

/// A value ready to be bound to a column.
public enum SQLValue: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)
    case real(Double)
    case boolean(Bool)
    /// Written as RFC 3339 in UTC with microseconds (`2024-04-25T14:59:00.390000Z`): sortable text in
    /// SQLite; PostgreSQL reads it into `timestamptz` (and into `timestamp` as UTC).
    case time(EventTime)
    /// JSON text.
    case json(String)

    /// Converts a field's value to a column's type; throws the reason when it does not fit.
    public static func convert(_ value: FieldValue, to type: ColumnType) throws(ConversionError) -> SQLValue {
        switch (value, type) {
        case (.null, _): return .null
        case (.text(let text), .text), (.text(let text), .other): return .text(text)
        case (.text(let text), .json): return .json(JSONText.quoted(text))
        case (.text(let text), .integer):
            guard let number = Int64(text.trimmingSpaces) else { throw ConversionError("\(JSONText.quoted(text)) is not an integer") }
            return .integer(number)
        case (.text(let text), .real):
            guard let number = Double(text.trimmingSpaces), number.isFinite else {
                throw ConversionError("\(JSONText.quoted(text)) is not a number")
            }
            return .real(number)
        case (.text(let text), .boolean):
            switch text.trimmingSpaces.lowercased() {
            case "true", "t", "yes", "y", "1", "on": return .boolean(true)
            case "false", "f", "no", "n", "0", "off": return .boolean(false)
            default: throw ConversionError("\(JSONText.quoted(text)) is not a boolean")
            }
        case (.text(let text), .timestamptz), (.text(let text), .timestamp):
            guard let time = RFC3339.parse(String(text.trimmingSpaces)) else {
                throw ConversionError("\(JSONText.quoted(text)) is not an RFC 3339 time")
            }
            return .time(time)
        case (.integer(let number), .text), (.integer(let number), .other): return .text(String(number))
        case (.integer(let number), .integer): return .integer(number)
        case (.integer(let number), .real): return .real(Double(number))
        case (.integer(let number), .json): return .json(String(number))
        case (.time(let time), .text), (.time(let time), .other): return .text(RFC3339.format(time, fractionDigits: 3))
        case (.time(let time), .timestamptz), (.time(let time), .timestamp): return .time(time)
        case (.time(let time), .integer): return .integer(time.nanosecondsSinceEpoch.dividedRoundingDown(1_000_000))
        case (.time(let time), .real): return .real(Double(time.nanosecondsSinceEpoch) / 1e6)
        case (.time(let time), .json): return .json(JSONText.quoted(RFC3339.format(time, fractionDigits: 3)))
        case (.json(let text), .json), (.json(let text), .text), (.json(let text), .other): return .json(text)
        default: throw ConversionError("a \(value.kindName) value cannot go into a \(type.rawValue) column")
        }
    }

    /// RFC 3339, UTC, microseconds: the text form of `.time`.
    public static func timeText(_ time: EventTime) -> String {
        RFC3339.format(time.inOffset(0), fractionDigits: 6, zulu: true)
    }
}

/// Why a value did not fit its column.
public struct ConversionError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension FieldValue {
    var kindName: String {
        switch self {
        case .null: return "null"
        case .text: return "text"
        case .integer: return "integer"
        case .time: return "time"
        case .json: return "JSON"
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}

extension Int64 {
    func dividedRoundingDown(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && self < 0) ? quotient - 1 : quotient
    }
}

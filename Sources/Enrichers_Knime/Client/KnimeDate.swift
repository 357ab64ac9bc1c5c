import Collector

/// Parses the three date forms KNIME answers with: ISO 8601 (optionally with fraction, offset and a
/// `[Zone/Name]` suffix), epoch seconds with a fraction, epoch milliseconds.
public enum KnimeDate {
    /// Numbers at or above this are milliseconds (year 5138 in seconds).
    static let millisecondThreshold = 100_000_000_000.0

    /// A date as a JSON answer holds it: a string (ISO 8601 or a number in text) or a number.
    public static func parse(_ value: JSONValue?) -> EventTime? {
        switch value {
        case .integer(let number)?: return fromNumber(Double(number))
        case .number(let number)?: return fromNumber(number)
        case .string(let text)?: return parse(text)
        default: return nil
        }
    }

    /// ISO 8601, or epoch seconds / milliseconds written as text.
    public static func parse(_ text: String) -> EventTime? {
        if let number = Double(text), !text.contains("-") { return fromNumber(number) }
        return parseISO(text)
    }

    /// Epoch seconds (with a fraction) or epoch milliseconds.
    public static func parse(_ number: Double) -> EventTime? {
        fromNumber(number)
    }

    static func fromNumber(_ number: Double) -> EventTime? {
        guard number.isFinite, number >= 0 else { return nil }
        if number >= millisecondThreshold { return EventTime(millisecondsSinceEpoch: Int64(number.rounded())) }
        return EventTime(nanosecondsSinceEpoch: Int64((number * 1_000).rounded()) * 1_000_000)
    }

    /// `yyyy-MM-ddTHH:mm[:ss[.fff…]][Z|±HH[:]MM][[Zone]]`
    public static func parseISO(_ text: String) -> EventTime? {
        var chars = Array(text.utf8)
        if let bracket = chars.firstIndex(of: UInt8(ascii: "[")) { chars = Array(chars[..<bracket]) }
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= chars.count else { return nil }
            var value = 0
            for byte in chars[index..<(index + digits)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += digits
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < chars.count, chars[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")),
              let day = number(2), index < chars.count, chars[index] == UInt8(ascii: "T") || chars[index] == UInt8(ascii: " ") else { return nil }
        index += 1
        guard let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2) else { return nil }
        var second = 0
        var nanos = 0
        if expect(UInt8(ascii: ":")) {
            guard let s = number(2) else { return nil }
            second = s
            if expect(UInt8(ascii: ".")) || expect(UInt8(ascii: ",")) {
                var scale = 100_000_000
                while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                    nanos += Int(chars[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
            }
        }
        var offset = 0
        if index < chars.count {
            let sign = chars[index]
            if sign == UInt8(ascii: "Z") {
                index += 1
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                index += 1
                guard let hours = number(2) else { return nil }
                _ = expect(UInt8(ascii: ":"))
                let minutes = number(2) ?? 0
                offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
            }
        }
        guard index == chars.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        return EventTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                         nanosecond: nanos, utcOffsetSeconds: Int32(offset))
    }
}

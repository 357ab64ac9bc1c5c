import Collector

/// Reads Denodo's StartTime/EndTime values: `yyyy-MM-dd[T ]HH:mm:ss[.fraction][Z|±HH:MM|±HHMM]`
/// (a time without an offset is a wall-clock time of `zone`), or milliseconds since 1970 (a number).
struct DenodoTime: Sendable {
    let zone: ZoneInfo

    func parse(_ value: JSONValue) -> EventTime? {
        switch value {
        case .integer(let milliseconds): return EventTime(millisecondsSinceEpoch: milliseconds)
        case .number(let milliseconds): return EventTime(millisecondsSinceEpoch: Int64(milliseconds))
        case .string(let text):
            if let milliseconds = Int64(text) { return EventTime(millisecondsSinceEpoch: milliseconds) }
            return parse(Array(text.utf8))
        default: return nil
        }
    }

    func parse(_ bytes: [UInt8]) -> EventTime? {
        var at = 0
        func number(_ width: Int) -> Int? {
            guard at + width <= bytes.count else { return nil }
            var value = 0
            for i in at..<(at + width) {
                let digit = Int(bytes[i]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            at += width
            return value
        }
        func expect(_ characters: [UInt8]) -> Bool {
            guard at < bytes.count, characters.contains(bytes[at]) else { return false }
            at += 1
            return true
        }
        guard let year = number(4), expect([0x2D]), let month = number(2), (1...12).contains(month), expect([0x2D]),
              let day = number(2), (1...31).contains(day), expect([0x54, 0x20]), let hour = number(2), hour < 24,
              expect([0x3A]), let minute = number(2), minute < 60, expect([0x3A]), let second = number(2), second < 61
        else { return nil }
        var nanosecond = 0
        if at < bytes.count, bytes[at] == 0x2E || bytes[at] == 0x2C {
            at += 1
            var scale = 100_000_000
            while at < bytes.count, bytes[at] >= 0x30, bytes[at] <= 0x39 {
                nanosecond += Int(bytes[at] - 0x30) * scale
                scale /= 10
                at += 1
            }
        }
        var offset: Int32?
        if at < bytes.count {
            switch bytes[at] {
            case UInt8(ascii: "Z"):
                offset = 0
                at += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign: Int32 = bytes[at] == UInt8(ascii: "+") ? 1 : -1
                at += 1
                guard let hours = number(2) else { return nil }
                _ = expect([0x3A])
                let minutes = number(2) ?? 0
                offset = sign * Int32(hours * 3600 + minutes * 60)
            default:
                return nil
            }
        }
        guard at == bytes.count else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let local = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return EventTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                         nanosecond: nanosecond, utcOffsetSeconds: offset ?? zone.offset(forLocal: local))
    }
}

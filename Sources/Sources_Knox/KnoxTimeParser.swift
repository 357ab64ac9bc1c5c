import Collector

/// Reads the EVENT_PUBLISHING_TIME column in a SimpleDateFormat-style pattern (the tokens
/// `TimePattern` writes: `yyyy yy MM dd HH mm ss SSS XXX Z`, other characters literal, text in single
/// quotes verbatim). Times without an offset in the pattern are wall-clock times of `zone`.
struct KnoxTimeParser: Sendable {
    enum Token: Sendable, Equatable {
        case literal([UInt8]), year4, year2, month, day, hour, minute, second, millisecond, offsetColon, offsetPlain
    }

    let tokens: [Token]
    let zone: ZoneInfo

    /// Nil when the pattern has a letter that is not a known token, or an unclosed quote.
    init?(pattern: String, zone: ZoneInfo) {
        var tokens: [Token] = []
        let characters = Array(pattern)
        var index = 0
        while index < characters.count {
            let c = characters[index]
            var n = 0
            while index + n < characters.count, characters[index + n] == c { n += 1 }
            switch (c, n) {
            case ("y", 4): tokens.append(.year4)
            case ("y", 2): tokens.append(.year2)
            case ("M", 2): tokens.append(.month)
            case ("d", 2): tokens.append(.day)
            case ("H", 2): tokens.append(.hour)
            case ("m", 2): tokens.append(.minute)
            case ("s", 2): tokens.append(.second)
            case ("S", 3): tokens.append(.millisecond)
            case ("X", 3): tokens.append(.offsetColon)
            case ("Z", 1): tokens.append(.offsetPlain)
            case ("'", _):
                guard let close = characters[(index + 1)...].firstIndex(of: "'") else { return nil }
                tokens.append(.literal(Array(String(characters[(index + 1)..<close]).utf8)))
                index = close + 1
                continue
            default:
                if c.isLetter { return nil }
                tokens.append(.literal(Array(String(repeating: c, count: n).utf8)))
            }
            index += n
        }
        self.tokens = tokens
        self.zone = zone
    }

    /// The time at the start of `line` and the number of bytes it took; nil when the line does not
    /// start with a time in the pattern.
    func parse(_ line: UnsafeBufferPointer<UInt8>) -> (time: EventTime, length: Int)? {
        var at = 0
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, milli = 0
        var offset: Int32?
        func number(_ width: Int) -> Int? {
            guard at + width <= line.count else { return nil }
            var value = 0
            for i in at..<(at + width) {
                let digit = Int(line[i]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            at += width
            return value
        }
        func zoneOffset(colon: Bool) -> Int32? {
            guard at < line.count else { return nil }
            if line[at] == UInt8(ascii: "Z") {
                at += 1
                return 0
            }
            let sign: Int32
            switch line[at] {
            case UInt8(ascii: "+"): sign = 1
            case UInt8(ascii: "-"): sign = -1
            default: return nil
            }
            at += 1
            guard let hours = number(2) else { return nil }
            if colon {
                guard at < line.count, line[at] == UInt8(ascii: ":") else { return nil }
                at += 1
            }
            guard let minutes = number(2) else { return nil }
            return sign * Int32(hours * 3600 + minutes * 60)
        }
        for token in tokens {
            switch token {
            case .literal(let bytes):
                guard at + bytes.count <= line.count else { return nil }
                for (i, byte) in bytes.enumerated() where line[at + i] != byte { return nil }
                at += bytes.count
            case .year4: guard let v = number(4) else { return nil }; year = v
            case .year2: guard let v = number(2) else { return nil }; year = 2000 + v
            case .month: guard let v = number(2), (1...12).contains(v) else { return nil }; month = v
            case .day: guard let v = number(2), (1...31).contains(v) else { return nil }; day = v
            case .hour: guard let v = number(2), v < 24 else { return nil }; hour = v
            case .minute: guard let v = number(2), v < 60 else { return nil }; minute = v
            case .second: guard let v = number(2), v < 61 else { return nil }; second = v
            case .millisecond: guard let v = number(3) else { return nil }; milli = v
            case .offsetColon: guard let v = zoneOffset(colon: true) else { return nil }; offset = v
            case .offsetPlain: guard let v = zoneOffset(colon: false) else { return nil }; offset = v
            }
        }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let local = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let utcOffset = offset ?? zone.offset(forLocal: local)
        let time = EventTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                             nanosecond: milli * 1_000_000, utcOffsetSeconds: utcOffset)
        return (time, at)
    }
}

/// A POSIX `TZ` rule string such as `CET-1CEST,M3.5.0,M10.5.0/3`, as found in the footer of TZif
/// v2+ files and in the `TZ` environment variable (with the RFC 8536 extensions: hours up to 167
/// and negative transition times).
///
/// Offsets are stored the ISO way, seconds east of UTC (the string's sign is the opposite).
/// Pure value: computing an offset allocates nothing and touches no global state.
public struct ZoneRule: Sendable, Hashable {
    /// The transition day inside a year.
    enum Day: Sendable, Hashable {
        /// `Jn`: day 1...365, February 29 never counted.
        case julianNoLeap(Int)
        /// `n`: zero-based day 0...365, February 29 counted.
        case zeroBased(Int)
        /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (1...5, 5 = last) of month `m`.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    struct Transition: Sendable, Hashable {
        var day: Day
        /// Local time of day of the change (seconds, may be negative or past 24 h).
        var time: Int
    }

    public let standardOffset: Int32
    /// The daylight offset; nil for a zone without daylight time.
    public let daylightOffset: Int32?
    let start: Transition
    let end: Transition

    /// Parses a rule; nil when `text` is not a valid POSIX TZ string.
    public init?(_ text: String) {
        var parser = Parser(Array(text.utf8))
        guard parser.name(), let std = parser.offset(maxHours: 24) else { return nil }
        standardOffset = Int32(-std)
        // The US rules of POSIX, the default when daylight time has no rule.
        var start = Transition(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200)
        var end = Transition(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200)
        if parser.atEnd {
            daylightOffset = nil
        } else {
            guard parser.name() else { return nil }
            var dst = std - 3600
            if !parser.atEnd, parser.peek != UInt8(ascii: ",") {
                guard let explicit = parser.offset(maxHours: 24) else { return nil }
                dst = explicit
            }
            daylightOffset = Int32(-dst)
            if !parser.atEnd {
                guard parser.take(","), let first = parser.transition(), parser.take(","),
                      let second = parser.transition() else { return nil }
                start = first
                end = second
            }
        }
        guard parser.atEnd else { return nil }
        self.start = start
        self.end = end
    }

    /// The offset (seconds east of UTC) in force at `utcSeconds`.
    public func offset(atUTC utcSeconds: Int64) -> Int32 {
        guard let daylightOffset else { return standardOffset }
        let std = Int64(standardOffset), dst = Int64(daylightOffset)
        let year = CivilCalendar.civilFromDays(Int((utcSeconds + std).floorDivided(by: 86_400))).year
        // The start is given in standard local time, the end in daylight local time.
        let startUTC = Self.localSeconds(start, year: year) - std
        let endUTC = Self.localSeconds(end, year: year) - dst
        let daylight = startUTC < endUTC
            ? utcSeconds >= startUTC && utcSeconds < endUTC
            : !(utcSeconds >= endUTC && utcSeconds < startUTC)   // southern hemisphere: across new year
        return daylight ? daylightOffset : standardOffset
    }

    /// Seconds since 1970-01-01 00:00 (as if UTC) of the transition's local time in `year`.
    static func localSeconds(_ transition: Transition, year: Int) -> Int64 {
        let january1 = CivilCalendar.daysFromCivil(year: year, month: 1, day: 1)
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days: Int
        switch transition.day {
        case .julianNoLeap(let n):
            days = january1 + n - 1 + (leap && n >= 60 ? 1 : 0)
        case .zeroBased(let n):
            days = january1 + n
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilCalendar.daysFromCivil(year: year, month: month, day: 1)
            // 1970-01-01 was a Thursday (4).
            let firstWeekday = ((first % 7) + 7 + 4) % 7
            var day = 1 + (weekday - firstWeekday + 7) % 7 + 7 * (week - 1)
            let length = CivilCalendar.daysFromCivil(year: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1,
                                                     day: 1) - first
            while day > length { day -= 7 }
            days = first + day - 1
        }
        return Int64(days) * 86_400 + Int64(transition.time)
    }

    /// A cursor over the rule's bytes.
    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func take(_ character: Character) -> Bool {
            guard let byte = character.asciiValue, peek == byte else { return false }
            index += 1
            return true
        }

        /// `<...>` (letters, digits, + and -) or at least three letters.
        mutating func name() -> Bool {
            if take("<") {
                let begin = index
                while let byte = peek, byte != UInt8(ascii: ">") {
                    let allowed = Self.isLetter(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "+")
                        || byte == UInt8(ascii: "-")
                    guard allowed else { return false }
                    index += 1
                }
                return index - begin >= 3 && take(">")
            }
            let begin = index
            while let byte = peek, Self.isLetter(byte) { index += 1 }
            return index - begin >= 3
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, sign as written.
        mutating func offset(maxHours: Int) -> Int? {
            var sign = 1
            if take("-") { sign = -1 } else { _ = take("+") }
            guard let hours = number(maxDigits: 3), hours <= maxHours else { return nil }
            var seconds = hours * 3600
            if take(":") {
                guard let minutes = number(maxDigits: 2), minutes < 60 else { return nil }
                seconds += minutes * 60
                if take(":") {
                    guard let secs = number(maxDigits: 2), secs < 60 else { return nil }
                    seconds += secs
                }
            }
            return sign * seconds
        }

        /// `date[/time]`.
        mutating func transition() -> Transition? {
            let day: Day
            if take("J") {
                guard let n = number(maxDigits: 3), (1...365).contains(n) else { return nil }
                day = .julianNoLeap(n)
            } else if take("M") {
                guard let month = number(maxDigits: 2), (1...12).contains(month), take("."),
                      let week = number(maxDigits: 1), (1...5).contains(week), take("."),
                      let weekday = number(maxDigits: 1), weekday <= 6 else { return nil }
                day = .monthWeekDay(month: month, week: week, weekday: weekday)
            } else {
                guard let n = number(maxDigits: 3), n <= 365 else { return nil }
                day = .zeroBased(n)
            }
            var time = 7200
            if take("/") {
                guard let explicit = offset(maxHours: 167) else { return nil }
                time = explicit
            }
            return Transition(day: day, time: time)
        }

        mutating func number(maxDigits: Int) -> Int? {
            var value = 0, digits = 0
            while let byte = peek, (0x30...0x39).contains(byte), digits < maxDigits {
                value = value * 10 + Int(byte - 0x30)
                digits += 1
                index += 1
            }
            return digits == 0 ? nil : value
        }

        static func isLetter(_ byte: UInt8) -> Bool {
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
    }
}

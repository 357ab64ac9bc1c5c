#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant with the UTC offset it was observed in (so outputs can show the origin's local time).
///
/// Stored as nanoseconds since the Unix epoch, enough for the years 1678 to 2262.
public struct EventTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64
    /// Seconds east of UTC at the origin.
    public var utcOffsetSeconds: Int32

    public init(nanosecondsSinceEpoch: Int64, utcOffsetSeconds: Int32 = 0) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    public init(millisecondsSinceEpoch: Int64, utcOffsetSeconds: Int32 = 0) {
        self.init(nanosecondsSinceEpoch: millisecondsSinceEpoch * 1_000_000, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// Builds a time from a civil date and time in the zone `utcOffsetSeconds` east of UTC.
    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                nanosecond: Int = 0, utcOffsetSeconds: Int32 = 0) {
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let local = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.init(nanosecondsSinceEpoch: (local - Int64(utcOffsetSeconds)) * 1_000_000_000 + Int64(nanosecond),
                  utcOffsetSeconds: utcOffsetSeconds)
    }

    public static func now(utcOffsetSeconds: Int32 = 0) -> EventTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return EventTime(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec),
                         utcOffsetSeconds: utcOffsetSeconds)
    }

    public var secondsSinceEpoch: Int64 { nanosecondsSinceEpoch.floorDivided(by: 1_000_000_000) }

    /// The same instant shown in another offset.
    public func inOffset(_ seconds: Int32) -> EventTime {
        EventTime(nanosecondsSinceEpoch: nanosecondsSinceEpoch, utcOffsetSeconds: seconds)
    }

    /// The civil fields in the event's own offset.
    public var civil: CivilDateTime { CivilDateTime(self) }

    public static func < (lhs: EventTime, rhs: EventTime) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// RFC 3339 with milliseconds and offset, e.g. `2024-04-25T16:59:00.390+02:00`.
    public var description: String { RFC3339.format(self, fractionDigits: 3) }
}

/// Date and time fields of an `EventTime` in its own offset.
public struct CivilDateTime: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var nanosecond: Int
    public var utcOffsetSeconds: Int32

    public init(_ time: EventTime) {
        let nanos = time.nanosecondsSinceEpoch
        let seconds = nanos.floorDivided(by: 1_000_000_000) + Int64(time.utcOffsetSeconds)
        nanosecond = Int(nanos - nanos.floorDivided(by: 1_000_000_000) * 1_000_000_000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        (year, month, day) = CivilCalendar.civilFromDays(Int(days))
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        utcOffsetSeconds = time.utcOffsetSeconds
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms), free of Foundation.
public enum CivilCalendar {
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    @inlinable
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

import Collector
import Foundation

/// Converts the log's civil times to instants in one time zone (the `timezone` setting), asking
/// Foundation's `TimeZone` for the UTC offset in force at that instant and caching it per local hour.
///
/// Not thread-safe: each source run owns one. In the repeated hour when clocks go back, the earlier
/// (daylight) offset is taken; a time inside the skipped hour is read with the offset before the gap.
final class ZoneOffsetCache {
    let timeZone: TimeZone
    private var cachedHour: Int64 = .min
    private var cachedOffset: Int32 = 0

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The zone named by `identifier` (`"local"` or empty for the machine's), or nil when unknown.
    static func zone(named identifier: String) -> TimeZone? {
        if identifier.isEmpty || identifier == "local" { return TimeZone.current }
        if identifier == "UTC" || identifier == "Z" { return TimeZone(identifier: "UTC") }
        return TimeZone(identifier: identifier)
    }

    func eventTime(_ stamp: TomcatTimestamp) -> EventTime {
        let days = CivilCalendar.daysFromCivil(year: stamp.year, month: stamp.month, day: stamp.day)
        let localSeconds = Int64(days) * 86_400 + Int64(stamp.hour * 3600 + stamp.minute * 60 + stamp.second)
        let offset = offset(forLocalSeconds: localSeconds)
        let utcMilliseconds = (localSeconds - Int64(offset)) * 1000 + Int64(stamp.millisecond)
        return EventTime(millisecondsSinceEpoch: utcMilliseconds, utcOffsetSeconds: offset)
    }

    /// The offset of the zone at the local wall-clock time `localSeconds` (seconds since 1970 as if UTC).
    func offset(forLocalSeconds localSeconds: Int64) -> Int32 {
        let hour = localSeconds >= 0 ? localSeconds / 3600 : (localSeconds - 3599) / 3600
        if hour == cachedHour { return cachedOffset }
        // Ask around the instant (3 hours either side brackets any transition). Without a transition
        // nearby the offset holds for the whole local hour and is cached; near one, the candidate
        // that maps back to this wall-clock time wins, the earlier instant (larger offset) first.
        let guess = offsetAt(localSeconds)
        let before = offsetAt(localSeconds - Int64(guess) - 3 * 3600)
        let after = offsetAt(localSeconds - Int64(guess) + 3 * 3600)
        if before == after {
            cachedHour = hour
            cachedOffset = before
            return before
        }
        let offset = [max(before, after), min(before, after)].first { candidate in
            offsetAt(localSeconds - Int64(candidate)) == candidate
        } ?? before
        return offset
    }

    private func offsetAt(_ utcSeconds: Int64) -> Int32 {
        Int32(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utcSeconds))))
    }
}

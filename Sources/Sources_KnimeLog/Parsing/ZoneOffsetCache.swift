import Collector

/// Converts the log's civil times to instants in one time zone (the `timezone` setting), asking the
/// core's `ZoneInfo` (the system's TZif files; no Foundation, no ICU) for the offset of the local
/// time and caching it per local hour when no transition is near.
///
/// Not thread-safe: each source run owns one. In the repeated hour when clocks go back, the earlier
/// (daylight) offset is taken; a time inside the skipped hour is read with the offset before the gap.
final class ZoneOffsetCache {
    let zone: ZoneInfo
    private var cachedHour: Int64 = .min
    private var cachedOffset: Int32 = 0

    init(zone: ZoneInfo) {
        self.zone = zone
    }

    /// The zone named by `identifier` (`"local"` or empty for the machine's, `UTC`, or an IANA
    /// name); throws a configuration error saying why when it is unknown.
    static func zone(named identifier: String) throws -> ZoneInfo {
        try ZoneInfo.named(identifier)
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
        if let uniform = zone.uniformOffset(localFrom: hour * 3600, to: hour * 3600 + 3600) {
            cachedHour = hour
            cachedOffset = uniform
            return uniform
        }
        return zone.offset(forLocal: localSeconds)
    }
}

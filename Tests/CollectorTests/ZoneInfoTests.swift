@testable import Collector
import Foundation
import Testing

/// `ZoneInfo` (the TZif reader) against Foundation's `TimeZone` (ICU), and its local-time rules.
/// Needs Debian's tzdata (scripts/setup installs it).
@Suite("ZoneInfo")
struct ZoneInfoTests {
    static let zones = ["Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC",
                        "America/Nuuk"]
    static let from = Int64(0)                        // 1970-01-01
    static let to = Int64(2_240_524_800)              // 2041-01-01

    /// Instants every 13 hours 17 minutes 11 seconds over 1970–2040, and each transition
    /// Foundation reports, one second before, at and after it.
    static func instants(_ zone: TimeZone) -> [Int64] {
        var instants = Array(stride(from: from, to: to, by: 13 * 3600 + 17 * 60 + 11))
        var date = Date(timeIntervalSince1970: Double(from))
        while let next = zone.nextDaylightSavingTimeTransition(after: date), next.timeIntervalSince1970 < Double(to) {
            let t = Int64(next.timeIntervalSince1970)
            instants += [t - 1, t, t + 1, t - 1800, t + 1800]
            date = next
        }
        return instants
    }

    static func foundationOffset(_ zone: TimeZone, _ t: Int64) -> Int32 {
        Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))))
    }

    @Test(arguments: zones)
    func offsetsMatchFoundation(_ name: String) throws {
        let reference = try #require(TimeZone(identifier: name))
        let zone = try ZoneInfo.named(name)
        let instants = Self.instants(reference)
        #expect(instants.count > 4000)
        var mismatches: [String] = []
        for t in instants {
            let expected = Self.foundationOffset(reference, t)
            let actual = zone.offset(atUTC: t)
            if actual != expected, mismatches.count < 10 { mismatches.append("\(t): \(actual) vs Foundation \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches)")
    }

    /// Every zone with daylight time has transitions after 2037 (when the fat files' tables end),
    /// so instants up to 2040 exercise the POSIX footer too.
    @Test func footerRuleIsUsedAfterTheLastTransition() throws {
        let madrid = try ZoneInfo.named("Europe/Madrid")
        let last = try #require(madrid.transitions.last)
        #expect(last < Self.to)
        #expect(madrid.rule != nil)
        // 2040-07-01 12:00 UTC (summer) and 2040-01-15 (winter).
        #expect(madrid.offset(atUTC: 2_224_756_800) == 7200)
        #expect(madrid.offset(atUTC: 2_210_155_200) == 3600)
    }

    /// A local civil time maps back to itself; in a repeated hour the earlier offset wins.
    @Test(arguments: zones)
    func localTimesRoundTrip(_ name: String) throws {
        let reference = try #require(TimeZone(identifier: name))
        let zone = try ZoneInfo.named(name)
        for t in Self.instants(reference) {
            let offset = Self.foundationOffset(reference, t)
            let local = t + Int64(offset)
            let chosen = zone.offset(forLocal: local)
            if chosen != offset {
                // Only allowed in an overlap: the chosen offset must also show this local time, and
                // be the earlier instant's.
                #expect(Self.foundationOffset(reference, local - Int64(chosen)) == chosen, "\(name) at \(t)")
                #expect(local - Int64(chosen) < t, "\(name) at \(t): \(chosen) vs \(offset)")
            }
        }
    }

    static func local(_ zone: ZoneInfo, _ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int) -> Int32 {
        zone.offset(forLocal: Int64(CivilCalendar.daysFromCivil(year: y, month: mo, day: d)) * 86_400 + Int64(h * 3600 + mi * 60))
    }

    @Test func repeatedAndSkippedHours() throws {
        let madrid = try ZoneInfo.named("Europe/Madrid")
        #expect(Self.local(madrid, 2024, 10, 27, 2, 30) == 7200)   // repeated: summer time first
        #expect(Self.local(madrid, 2024, 10, 27, 3, 0) == 3600)
        #expect(Self.local(madrid, 2024, 3, 31, 2, 30) == 3600)    // skipped: offset before the gap,
        #expect(Self.local(madrid, 2024, 3, 31, 3, 0) == 7200)     // i.e. 03:30+02:00
        #expect(Self.local(madrid, 2039, 10, 30, 2, 30) == 7200)   // the same from the footer rule
        #expect(Self.local(madrid, 2039, 3, 27, 2, 30) == 3600)
        let newYork = try ZoneInfo.named("America/New_York")
        #expect(Self.local(newYork, 2024, 11, 3, 1, 30) == -4 * 3600)
        #expect(Self.local(newYork, 2024, 11, 3, 2, 0) == -5 * 3600)
        #expect(Self.local(newYork, 2024, 3, 10, 2, 30) == -5 * 3600)
        let lordHowe = try ZoneInfo.named("Australia/Lord_Howe")   // half-hour daylight saving
        #expect(Self.local(lordHowe, 2024, 4, 7, 1, 45) == 11 * 3600)
        #expect(Self.local(lordHowe, 2024, 4, 7, 2, 0) == 10 * 3600 + 1800)
        #expect(Self.local(lordHowe, 2024, 10, 6, 2, 15) == 10 * 3600 + 1800)
        #expect(Self.local(lordHowe, 2024, 10, 6, 2, 30) == 11 * 3600)
        let kolkata = try ZoneInfo.named("Asia/Kolkata")
        #expect(Self.local(kolkata, 2024, 6, 1, 12, 0) == 19_800)
    }

    @Test func posixRules() throws {
        let india = try #require(ZoneRule("IST-5:30"))
        #expect(india.standardOffset == 19_800 && india.daylightOffset == nil)
        let lordHowe = try #require(ZoneRule("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0"))
        #expect(lordHowe.standardOffset == 37_800 && lordHowe.daylightOffset == 39_600)
        let us = try #require(ZoneRule("EST5EDT"))   // daylight time without rule: the US rules
        #expect(us.offset(atUTC: 1_720_000_000) == -4 * 3600)   // 2024-07-03
        #expect(us.offset(atUTC: 1_705_000_000) == -5 * 3600)   // 2024-01-11
        // RFC 8536 extensions: negative transition time (America/Nuuk).
        let nuuk = try #require(ZoneRule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0"))
        let reference = try #require(TimeZone(identifier: "America/Nuuk"))
        for t in stride(from: Int64(1_735_689_600), to: 2_240_524_800, by: 3 * 3600 + 7) {   // 2025–2040
            #expect(nuuk.offset(atUTC: t) == Self.foundationOffset(reference, t))
        }
        // Daylight time all year (`J365/25` ends after the year does).
        let allYear = try #require(ZoneRule("EST5EDT,0/0,J365/25"))
        #expect(allYear.offset(atUTC: 1_705_000_000) == -4 * 3600)
        #expect(allYear.offset(atUTC: 1_735_700_000) == -4 * 3600)   // 2025-01-01 03:00 UTC
        for bad in ["", "AB1", "CET", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,M10.5.0/", "<+05>x"] {
            #expect(ZoneRule(bad) == nil, "\(bad)")
        }
    }

    @Test func unknownNamesAreClearErrors() throws {
        for name in ["Europe/Nowhere", "Europe", "../etc/passwd", "/etc/passwd", "Europe//Madrid", "zone.tab"] {
            #expect(throws: CollectorError.self, "\(name)") { try ZoneInfo.named(name) }
            do {
                _ = try ZoneInfo.named(name)
            } catch let error as CollectorError {
                #expect(error.code == .configuration)
                #expect(error.message.contains(name), "\(error)")
            }
        }
        #expect(OutputZone("Mars/Olympus") == nil)
        #expect(try ZoneInfo.named("UTC") === ZoneInfo.utc)
        #expect(try ZoneInfo.named("Europe/Madrid") === (try ZoneInfo.named("Europe/Madrid")))   // cached
    }

    @Test func localComesFromTZOrLocaltime() throws {
        let summer = Int64(1_720_000_000)   // 2024-07-03
        let fromFile = ZoneInfo.resolveLocal(tz: nil, localtime: "/usr/share/zoneinfo/Europe/Madrid")
        #expect(fromFile.error == nil && fromFile.zone.offset(atUTC: summer) == 7200)
        let missing = ZoneInfo.resolveLocal(tz: nil, localtime: "/nonexistent/localtime")
        #expect(missing.error == nil && missing.zone === ZoneInfo.utc)
        let named = ZoneInfo.resolveLocal(tz: ":America/New_York")
        #expect(named.error == nil && named.zone.offset(atUTC: summer) == -4 * 3600)
        let path = ZoneInfo.resolveLocal(tz: "/usr/share/zoneinfo/Asia/Kolkata")
        #expect(path.zone.offset(atUTC: summer) == 19_800)
        let rule = ZoneInfo.resolveLocal(tz: "CET-1CEST,M3.5.0,M10.5.0/3")
        #expect(rule.error == nil && rule.zone.offset(atUTC: summer) == 7200)
        #expect(ZoneInfo.resolveLocal(tz: "").zone === ZoneInfo.utc)
        let unknown = ZoneInfo.resolveLocal(tz: "Nowhere/Zone")
        #expect(unknown.zone === ZoneInfo.utc)
        #expect(unknown.error?.message.contains("Nowhere/Zone") == true)
    }

    /// `local` agrees with Foundation's idea of the machine's zone.
    @Test func localMatchesFoundation() {
        let reference = TimeZone.current
        for t in stride(from: Int64(0), to: Self.to, by: 86_400 * 3 + 3600) {
            #expect(ZoneInfo.local.offset(atUTC: t) == Self.foundationOffset(reference, t))
        }
    }

    @Test func knoxOutputZoneUsesIt() throws {
        let time = EventTime(year: 2024, month: 10, day: 27, hour: 0, minute: 30, second: 0)   // 02:30 CEST
        let zone = try #require(OutputZone("Europe/Madrid"))
        #expect(zone.apply(time).description == "2024-10-27T02:30:00.000+02:00")
        let hourLater = EventTime(year: 2024, month: 10, day: 27, hour: 1, minute: 30, second: 0)   // 02:30 CET
        #expect(zone.apply(hourLater).description == "2024-10-27T02:30:00.000+01:00")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A time zone read from the system's time-zone database (TZif files, RFC 8536 versions 1 to 4,
/// under `$TZDIR` or `/usr/share/zoneinfo`), without Foundation: no ICU data is loaded.
///
/// Gives the UTC offset at an instant (the file's transitions, then its POSIX TZ footer for
/// instants after the last one) and the offset for a local civil time (in the repeated hour when
/// clocks go back the earlier offset wins; a time inside a skipped hour is read with the offset
/// before the gap, so it maps forward). Leap-second records are ignored (POSIX time).
///
/// Immutable and thread-safe. Zones are loaded once per name and cached for the process's life.
public final class ZoneInfo: Sendable, CustomStringConvertible {
    /// The name it was looked up by (`UTC`, `local`, or an IANA name such as `Europe/Madrid`).
    public let name: String
    /// Transition instants (seconds since 1970 UTC), ascending.
    let transitions: [Int64]
    /// The offset in force from each transition on.
    let offsetsAfter: [Int32]
    /// The offset before the first transition (time type 0).
    let initialOffset: Int32
    /// The footer rule, for instants after the last transition (or all, without transitions).
    let rule: ZoneRule?

    /// No offset, ever.
    public static let utc = ZoneInfo(name: "UTC", transitions: [], offsetsAfter: [], initialOffset: 0, rule: nil)

    /// Local times are searched for within this distance of the instant (larger than any offset).
    static let window: Int64 = 18 * 3600

    init(name: String, transitions: [Int64], offsetsAfter: [Int32], initialOffset: Int32, rule: ZoneRule?) {
        self.name = name
        self.transitions = transitions
        self.offsetsAfter = offsetsAfter
        self.initialOffset = initialOffset
        self.rule = rule
    }

    public var description: String { name }

    // MARK: Offsets

    /// The offset (seconds east of UTC) in force at `utcSeconds` (seconds since 1970 UTC).
    public func offset(atUTC utcSeconds: Int64) -> Int32 {
        guard let last = transitions.last else { return rule?.offset(atUTC: utcSeconds) ?? initialOffset }
        if utcSeconds >= last, let rule { return rule.offset(atUTC: utcSeconds) }
        if utcSeconds < transitions[0] { return initialOffset }
        // The last transition at or before the instant.
        var low = 0, high = transitions.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if transitions[middle] <= utcSeconds { low = middle } else { high = middle - 1 }
        }
        return offsetsAfter[low]
    }

    /// The offset of the local wall-clock time `localSeconds` (seconds since 1970-01-01 00:00 as if
    /// it were UTC): the instant is `localSeconds - offset`. In a repeated hour the earlier
    /// (pre-transition) offset; in a skipped hour the offset before the gap.
    public func offset(forLocal localSeconds: Int64) -> Int32 {
        let before = offset(atUTC: localSeconds - Self.window)
        let after = offset(atUTC: localSeconds + Self.window)
        if before == after { return before }
        if offset(atUTC: localSeconds - Int64(before)) == before { return before }
        if offset(atUTC: localSeconds - Int64(after)) == after { return after }
        return before
    }

    /// The offset shared by every local time in `localFrom..<localTo` when no transition is near
    /// them (then `offset(forLocal:)` gives it for each), else nil. For per-hour caches.
    public func uniformOffset(localFrom: Int64, to localTo: Int64) -> Int32? {
        let before = offset(atUTC: localFrom - Self.window)
        return offset(atUTC: localTo + Self.window) == before ? before : nil
    }

    // MARK: Lookup

    private static let cache = Mutex<[String: ZoneInfo]>([:])

    /// The zone called `name`: `local` (or empty) for the machine's (see `local`), `UTC` / `Z`, or
    /// an IANA name read from the database. Throws a configuration error naming the zone and the
    /// file when it is unknown or unreadable.
    public static func named(_ name: String) throws -> ZoneInfo {
        switch name {
        case "", "local": return local
        case "UTC", "utc", "Z": return utc
        default: break
        }
        if let cached = cache.withLock({ $0[name] }) { return cached }
        guard isValidName(name) else {
            throw CollectorError(.configuration, "\"\(name)\" is not a time zone name (use \"local\", \"UTC\" or an IANA name such as \"Europe/Madrid\")")
        }
        let zone = try load(name: name, path: directory + "/" + name)
        cache.withLock { $0[name] = zone }
        return zone
    }

    /// The machine's zone: the `TZ` environment variable (`:Name`, `Name`, an absolute path or a
    /// POSIX rule such as `CET-1CEST,M3.5.0,M10.5.0/3`; empty = UTC), else `/etc/localtime`, else
    /// UTC. Resolved once; when resolution failed it is UTC and `localError` says why.
    public static var local: ZoneInfo { localResolution.zone }

    /// Why `local` fell back to UTC, or nil.
    public static var localError: CollectorError? { localResolution.error }

    private static let localResolution: (zone: ZoneInfo, error: CollectorError?) =
        resolveLocal(tz: getenv("TZ").map { String(cString: $0) })

    /// How `local` is found for a given value of `TZ` (nil = unset).
    static func resolveLocal(tz: String?, localtime: String = "/etc/localtime") -> (zone: ZoneInfo, error: CollectorError?) {
        guard var value = tz else {
            do {
                return (try load(name: "local", path: localtime, missingIsUTC: true), nil)
            } catch let error as CollectorError {
                return (utc, error)
            } catch {
                return (utc, CollectorError(.configuration, "\(error)", context: localtime))
            }
        }
        if value.hasPrefix(":") { value.removeFirst() }
        if value.isEmpty || value == "UTC" { return (utc, nil) }
        let path = value.hasPrefix("/") ? value : (isValidName(value) ? directory + "/" + value : nil)
        if let path, let zone = try? load(name: "local", path: path) { return (zone, nil) }
        if let rule = ZoneRule(value) {
            return (ZoneInfo(name: "local", transitions: [], offsetsAfter: [], initialOffset: rule.standardOffset, rule: rule), nil)
        }
        return (utc, CollectorError(.configuration, "TZ=\"\(value)\" names no time zone file and is no POSIX TZ rule; local time is UTC"))
    }

    /// `$TZDIR` or `/usr/share/zoneinfo`.
    static var directory: String {
        if let dir = getenv("TZDIR"), dir.pointee != 0 { return String(cString: dir) }
        return "/usr/share/zoneinfo"
    }

    /// Relative, made of `A-Z a-z 0-9 . _ + -` parts separated by `/`, no `.` or `..` part.
    static func isValidName(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && part.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+")
                    || byte == UInt8(ascii: "-")
            }
        }
    }

    static func load(name: String, path: String, missingIsUTC: Bool = false) throws -> ZoneInfo {
        let bytes: [UInt8]?
        do {
            bytes = try FileIO.readAll(path, limit: 1 << 20)
        } catch let error as CollectorError {
            throw CollectorError(.configuration, "unknown time zone \"\(name)\": \(error.message)", context: path)
        }
        guard let bytes else {
            if missingIsUTC { return utc }
            throw CollectorError(.configuration, "unknown time zone \"\(name)\": no such file (is the tzdata package installed?)", context: path)
        }
        do {
            return try parse(bytes, name: name)
        } catch {
            throw CollectorError(.configuration, "time zone \"\(name)\" is not a valid TZif file: \(error.reason)", context: path)
        }
    }

    struct TZifError: Error { var reason: String }

    /// Reads a TZif file: the 64-bit data block of version 2+ files (else the 32-bit one) and the footer.
    static func parse(_ bytes: [UInt8], name: String) throws(TZifError) -> ZoneInfo {
        var cursor = 0
        func uint(_ size: Int) throws(TZifError) -> UInt64 {
            guard cursor + size <= bytes.count else { throw TZifError(reason: "truncated at byte \(cursor)") }
            var value: UInt64 = 0
            for index in cursor..<(cursor + size) { value = value << 8 | UInt64(bytes[index]) }
            cursor += size
            return value
        }
        func header() throws(TZifError) -> (version: UInt8, counts: [Int]) {
            guard cursor + 44 <= bytes.count, bytes[cursor..<(cursor + 4)].elementsEqual("TZif".utf8) else {
                throw TZifError(reason: "no TZif header at byte \(cursor)")
            }
            let version = bytes[cursor + 4]
            cursor += 20
            var counts: [Int] = []
            for _ in 0..<6 { counts.append(Int(try uint(4))) }
            return (version, counts)
        }
        // counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
        var (version, counts) = try header()
        var timeSize = 4
        if version >= UInt8(ascii: "2") {
            cursor += counts[3] * 5 + counts[4] * 6 + counts[5] + counts[2] * 8 + counts[1] + counts[0]
            (version, counts) = try header()
            timeSize = 8
        }
        let timeCount = counts[3], typeCount = counts[4]
        guard typeCount >= 1 else { throw TZifError(reason: "no local time types") }
        var times: [Int64] = []
        times.reserveCapacity(timeCount)
        for _ in 0..<timeCount {
            let raw = try uint(timeSize)
            times.append(timeSize == 8 ? Int64(bitPattern: raw) : Int64(Int32(truncatingIfNeeded: raw)))
        }
        var indices: [Int] = []
        for _ in 0..<timeCount {
            let index = Int(try uint(1))
            guard index < typeCount else { throw TZifError(reason: "transition type \(index) out of range") }
            indices.append(index)
        }
        var offsets: [Int32] = []
        for _ in 0..<typeCount {
            offsets.append(Int32(truncatingIfNeeded: try uint(4)))
            cursor += 2   // isdst, desigidx
        }
        for index in times.indices.dropFirst() where times[index] <= times[index - 1] {
            throw TZifError(reason: "transition times not ascending")
        }
        cursor += counts[5] + counts[2] * (timeSize + 4) + counts[1] + counts[0]
        var rule: ZoneRule?
        if timeSize == 8 {
            guard cursor < bytes.count, bytes[cursor] == 0x0A else { throw TZifError(reason: "no footer") }
            let start = cursor + 1
            guard let end = bytes[start...].firstIndex(of: 0x0A) else { throw TZifError(reason: "footer without end") }
            if end > start {
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                guard let parsed = ZoneRule(text) else { throw TZifError(reason: "unsupported TZ footer \"\(text)\"") }
                rule = parsed
            }
        }
        return ZoneInfo(name: name, transitions: times, offsetsAfter: indices.map { offsets[$0] },
                        initialOffset: offsets[0], rule: rule)
    }
}

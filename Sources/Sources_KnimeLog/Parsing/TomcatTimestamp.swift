/// The civil date and time at the start of a Tomcat JULI `OneLineFormatter` line:
/// `dd-MMM-yyyy HH:mm:ss.SSS`, where `MMM` is the JVM locale's short month name.
///
/// Month names of English, German, French, Spanish, Italian, Dutch and Portuguese JVM locales are
/// known (with or without the trailing dot, in any ASCII letter case, both the JRE and the CLDR
/// spellings), e.g. `Apr`, `Apr.`, `März`, `Mär`, `avr.`, `févr.`, `abr.`, `mag`, `mrt.`, `out.`.
struct TomcatTimestamp: Sendable, Hashable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var millisecond: Int
    /// Bytes taken by the timestamp at the start of the line.
    var length: Int

    /// Parses the timestamp at the start of `p[0..<count]`; nil when the line does not start with one.
    static func parse(_ p: UnsafePointer<UInt8>, count: Int) -> TomcatTimestamp? {
        // dd-
        guard count >= 22, let day = twoDigits(p, 0), p[2] == UInt8(ascii: "-") else { return nil }
        // MMM- (1 to 8 bytes, may be multi-byte UTF-8)
        var dash = 3
        while dash < min(count, 12), p[dash] != UInt8(ascii: "-") { dash += 1 }
        guard dash < count, p[dash] == UInt8(ascii: "-"), dash > 3,
              let month = monthNumber(p + 3, count: dash - 3) else { return nil }
        // yyyy HH:mm:ss.SSS
        let y = dash + 1
        guard count >= y + 17,
              let y1 = twoDigits(p, y), let y2 = twoDigits(p, y + 2), p[y + 4] == UInt8(ascii: " "),
              let hour = twoDigits(p, y + 5), p[y + 7] == UInt8(ascii: ":"),
              let minute = twoDigits(p, y + 8), p[y + 10] == UInt8(ascii: ":"),
              let second = twoDigits(p, y + 11), p[y + 13] == UInt8(ascii: "."),
              let ms1 = twoDigits(p, y + 14), let ms3 = digit(p[y + 16])
        else { return nil }
        guard (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        return TomcatTimestamp(year: y1 * 100 + y2, month: month, day: day, hour: hour, minute: minute,
                               second: second, millisecond: ms1 * 10 + ms3, length: y + 17)
    }

    /// The month (1...12) of a short month name in any of the known locales.
    static func monthNumber(_ p: UnsafePointer<UInt8>, count: Int) -> Int? {
        var length = count
        if length > 0, p[length - 1] == UInt8(ascii: ".") { length -= 1 }
        guard length >= 3, length <= 6 else { return nil }
        // Pack the lower-cased bytes into one integer and look it up.
        var key: UInt64 = 0
        for index in 0..<length {
            var byte = p[index]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            key = key << 8 | UInt64(byte)
        }
        return monthTable[key]
    }

    @inline(__always)
    private static func digit(_ byte: UInt8) -> Int? {
        let value = Int(byte) - 0x30
        return value >= 0 && value <= 9 ? value : nil
    }

    @inline(__always)
    private static func twoDigits(_ p: UnsafePointer<UInt8>, _ at: Int) -> Int? {
        guard let high = digit(p[at]), let low = digit(p[at + 1]) else { return nil }
        return high * 10 + low
    }

    /// Lower-case month abbreviations (without a trailing dot) of the supported locales.
    static let monthNames: [(String, Int)] = [
        // English
        ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("may", 5), ("jun", 6), ("jul", 7), ("aug", 8),
        ("sep", 9), ("sept", 9), ("oct", 10), ("nov", 11), ("dec", 12),
        // German (JRE: Mär, Okt, Dez; CLDR: März, Juni, Juli, Sept.)
        ("mär", 3), ("märz", 3), ("mai", 5), ("juni", 6), ("juli", 7), ("okt", 10), ("dez", 12),
        // French
        ("janv", 1), ("févr", 2), ("fév", 2), ("mars", 3), ("avr", 4), ("juin", 6), ("juil", 7), ("août", 8),
        ("aoû", 8), ("déc", 12),
        // Spanish
        ("ene", 1), ("abr", 4), ("ago", 8), ("dic", 12),
        // Italian
        ("gen", 1), ("mag", 5), ("giu", 6), ("lug", 7), ("set", 9), ("ott", 10),
        // Dutch
        ("mrt", 3), ("mei", 5),
        // Portuguese
        ("fev", 2), ("out", 10),
    ]

    private static let monthTable: [UInt64: Int] = {
        var table: [UInt64: Int] = [:]
        for (name, month) in monthNames {
            var key: UInt64 = 0
            for byte in name.utf8 { key = key << 8 | UInt64(byte) }
            table[key] = month
        }
        return table
    }()
}

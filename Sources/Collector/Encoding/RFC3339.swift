/// RFC 3339 timestamps written by hand: fixed layout, no locale, no allocation beyond the result.
public enum RFC3339 {
    /// `2024-04-25T16:59:00.390+02:00`; `fractionDigits` 0...9; a zero offset is written `Z` only when `zulu`.
    public static func format(_ time: EventTime, fractionDigits: Int = 3, zulu: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(35)
        append(time, fractionDigits: fractionDigits, zulu: zulu, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func append(_ time: EventTime, fractionDigits: Int = 3, zulu: Bool = false, to out: inout [UInt8]) {
        let c = time.civil
        appendDigits(c.year, 4, &out); out.append(UInt8(ascii: "-"))
        appendDigits(c.month, 2, &out); out.append(UInt8(ascii: "-"))
        appendDigits(c.day, 2, &out); out.append(UInt8(ascii: "T"))
        appendDigits(c.hour, 2, &out); out.append(UInt8(ascii: ":"))
        appendDigits(c.minute, 2, &out); out.append(UInt8(ascii: ":"))
        appendDigits(c.second, 2, &out)
        if fractionDigits > 0 {
            out.append(UInt8(ascii: "."))
            var divisor = 1
            for _ in 0..<(9 - min(fractionDigits, 9)) { divisor *= 10 }
            appendDigits(c.nanosecond / divisor, min(fractionDigits, 9), &out)
        }
        appendOffset(c.utcOffsetSeconds, zulu: zulu, &out)
    }

    static func appendOffset(_ offset: Int32, zulu: Bool, _ out: inout [UInt8]) {
        if offset == 0 && zulu {
            out.append(UInt8(ascii: "Z"))
            return
        }
        out.append(UInt8(ascii: offset < 0 ? "-" : "+"))
        let magnitude = Int(offset.magnitude)
        appendDigits(magnitude / 3600, 2, &out); out.append(UInt8(ascii: ":"))
        appendDigits(magnitude % 3600 / 60, 2, &out)
    }

    @inline(__always)
    static func appendDigits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            for index in stride(from: width - 1, through: 0, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
            out.append(contentsOf: buffer[0..<width])
        }
    }
}

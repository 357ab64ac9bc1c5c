/// How the bytes of a KNIME Server log are decoded (`encoding` of `knime_log`).
///
/// Tomcat writes the platform's encoding: UTF-8 on Linux, often ISO-8859-1 or windows-1252 on
/// Windows servers. Under UTF-8, invalid bytes become U+FFFD (the line is still read, the event is
/// flagged); under the Latin encodings every byte is a character of that table.
public enum KnimeLogEncoding: String, Sendable, Hashable, CaseIterable {
    case utf8 = "utf-8"
    case iso88591 = "iso-8859-1"
    case windows1252 = "windows-1252"

    /// Decodes `p[from..<to]`. `ascii` tells the whole line is ASCII (then every encoding agrees).
    func string(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int, ascii: Bool) -> String {
        let bytes = UnsafeBufferPointer(start: p + from, count: max(0, to - from))
        if ascii || self == .utf8 { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if self == .windows1252, byte >= 0x80, byte <= 0x9F {
                scalars.append(Unicode.Scalar(Self.windows1252High[Int(byte - 0x80)])!)
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    /// windows-1252 at 0x80...0x9F (the five undefined bytes map to the C1 control of the same value).
    static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}

/// One line's decoding: its encoding and what a single scan found (all ASCII, valid UTF-8).
struct LineText {
    let encoding: KnimeLogEncoding
    let ascii: Bool
    /// Under UTF-8: invalid bytes were found, and strings made from the line hold U+FFFD.
    let replaced: Bool

    init(_ p: UnsafePointer<UInt8>, count: Int, encoding: KnimeLogEncoding) {
        self.encoding = encoding
        ascii = ByteScan.isASCII(p, count: count)
        replaced = !ascii && encoding == .utf8 && !ByteScan.isValidUTF8(p, count: count)
    }

    func string(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> String {
        encoding.string(p, from, to, ascii: ascii)
    }
}

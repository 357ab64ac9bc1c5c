import Collector
import NIOCore

/// `COPY … FROM STDIN` text format: tab-separated, `\N` for null, backslash escapes for `\`, tab,
/// line feed and carriage return.
enum PostgresCopyText {
    static func append(_ row: InsertRow, ledger: Bool, to buffer: inout ByteBuffer) {
        for (index, value) in row.values.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            append(value, to: &buffer)
        }
        if ledger {
            buffer.writeInteger(UInt8(ascii: "\t"))
            appendEscaped(row.eventID, to: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    static func append(_ value: SQLValue, to buffer: inout ByteBuffer) {
        switch value {
        case .null: buffer.writeStaticString("\\N")
        case .text(let text), .json(let text): appendEscaped(text, to: &buffer)
        case .integer(let number): buffer.writeString(String(number))
        case .real(let number): buffer.writeString(number.description)
        case .boolean(let flag): buffer.writeStaticString(flag ? "t" : "f")
        case .time(let time):
            var bytes: [UInt8] = []
            bytes.reserveCapacity(32)
            RFC3339.append(time.inOffset(0), fractionDigits: 6, zulu: true, to: &bytes)
            buffer.writeBytes(bytes)
        }
    }

    static func appendEscaped(_ text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                let escape: UInt8
                switch byte {
                case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
                case 0x09: escape = UInt8(ascii: "t")
                case 0x0A: escape = UInt8(ascii: "n")
                case 0x0D: escape = UInt8(ascii: "r")
                default: continue
                }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<index]))
                buffer.writeInteger(UInt8(ascii: "\\"))
                buffer.writeInteger(escape)
                start = index + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start...]))
        }
    }
}

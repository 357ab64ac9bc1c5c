/// Splits a Knox audit line (after its time and one space) into `KnoxRecord` columns.
///
/// The first twelve columns end at an unescaped `|`; everything after the twelfth is the message
/// (Knox itself does not escape `|` inside the message, so it is kept there). Inside columns the
/// escapes `KnoxLayout` writes are undone exactly: `\\` `\|` `\n` `\r` `\t` `\xHH`; any other
/// backslash is kept as written (a line Knox wrote never passes through our escaper).
enum KnoxLineParser {
    enum Failure: Error, Equatable, CustomStringConvertible {
        case missingColumns(Int)

        var description: String {
            switch self {
            case .missingColumns(let found): "a Knox audit line has 13 `|`-separated columns; found \(found)"
            }
        }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<KnoxRecord, Failure> {
        var columns: [String] = []
        columns.reserveCapacity(12)
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count && columns.count < 12 {
            let byte = bytes[index]
            if byte == UInt8(ascii: "|") {
                columns.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
                index += 1
            } else if byte == UInt8(ascii: "\\") {
                index += unescape(bytes, at: index, message: false, into: &current)
            } else {
                current.append(byte)
                index += 1
            }
        }
        guard columns.count == 12 else { return .failure(.missingColumns(columns.count + 1)) }
        return .success(KnoxRecord(
            rootRequestID: columns[0], parentRequestID: columns[1], requestID: columns[2], loggerName: columns[3],
            targetService: columns[4], userName: columns[5], proxyUserName: columns[6], systemUserName: columns[7],
            action: columns[8], resourceType: columns[9], resourceName: columns[10], outcome: columns[11],
            rawMessage: Array(UnsafeBufferPointer(rebasing: bytes[index...]))))
    }

    /// Undoes the escape starting at `bytes[at]` (a backslash), appending its byte(s) to `out`; returns
    /// how many bytes it took. `message` also undoes `\;` and `\=`.
    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>, at: Int, message: Bool, into out: inout [UInt8]) -> Int {
        guard at + 1 < bytes.count else {
            out.append(bytes[at])
            return 1
        }
        let next = bytes[at + 1]
        switch next {
        case UInt8(ascii: "\\"), UInt8(ascii: "|"): out.append(next)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: ";"), UInt8(ascii: "=") where message: out.append(next)
        case UInt8(ascii: "x"):
            if at + 3 < bytes.count, let high = hex(bytes[at + 2]), let low = hex(bytes[at + 3]) {
                out.append(high << 4 | low)
                return 4
            }
            out.append(contentsOf: [bytes[at], next])
        default:
            out.append(contentsOf: [bytes[at], next])
        }
        return 2
    }

    static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}

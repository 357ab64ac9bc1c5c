/// The seal of one record: where `seq` and `chain` go in a line, and how they are read back.
///
/// Both formats put the two values at the end of the line, `chain` last, so that the chain is
/// computed over the exact bytes written, without re-encoding anything:
///
/// - JSON: the last two keys of the object, `…,"seq":42,"chain":"<64 hex>"}`.
/// - Knox: the last two `name=value` pairs of LOGGING_MESSAGE (the last column, free text for Knox
///   readers), `…|OUTCOME|a=1;seq=42;chain=<64 hex>` (without the leading `;` when the message is
///   empty). The thirteen columns Knox readers split are unchanged.
///
/// `chain` = SHA-256(previous record's chain ‖ every byte of the line before the 64 hex digits),
/// so it covers the record, its `seq` and the text `chain=`/`"chain":"`; what follows the digits is
/// fixed (`"}` or nothing, then the line break) and checked by the parser. seq 1 chains to 32 zero
/// bytes (`SealChain.genesis`).
public enum SealRecord {
    public enum Format: String, Sendable, Hashable {
        case json, knox
    }

    /// What the end of a sealed line says.
    public struct Trailer: Sendable, Equatable {
        public var seq: UInt64
        public var chain: SealChain
        /// The number of bytes at the start of the line that the chain covers.
        public var coveredCount: Int
    }

    /// Seals the record that occupies `out[recordStart...]` (encoded, without a line break): appends
    /// `seq` and `chain` in the record's format and a line break, and returns the new chain.
    public static func seal(_ out: inout [UInt8], recordStart: Int, format: Format, seq: UInt64, previous: SealChain) -> SealChain {
        switch format {
        case .json:
            if out.last == UInt8(ascii: "}") { out.removeLast() }
            out.append(contentsOf: jsonSeq)
        case .knox:
            if !endsWithEmptyMessage(out, from: recordStart) { out.append(UInt8(ascii: ";")) }
            out.append(contentsOf: knoxSeq)
        }
        appendDecimal(seq, to: &out)
        out.append(contentsOf: format == .json ? jsonChain : knoxChain)
        let chain = out.withUnsafeBytes { previous.next(covering: UnsafeRawBufferPointer(rebasing: $0[recordStart...])) }
        chain.appendHex(to: &out)
        if format == .json { out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "}")]) }
        out.append(UInt8(ascii: "\n"))
        return chain
    }

    /// Reads the seal at the end of a line (without its line break); nil when the line does not end
    /// with one.
    public static func parse(_ line: UnsafeRawBufferPointer) -> Trailer? {
        let n = line.count
        guard n >= 70 else { return nil }
        if line[n - 1] == UInt8(ascii: "}"), line[n - 2] == UInt8(ascii: "\"") {
            // …,"seq":N,"chain":"<64>"}
            let hexStart = n - 66
            guard n >= 66 + jsonChain.count + 1 + jsonSeq.count, matches(line, at: hexStart - jsonChain.count, jsonChain),
                  let chain = SealChain(hex: UnsafeRawBufferPointer(rebasing: line[hexStart..<(n - 2)])),
                  let (seq, _) = decimal(line, endingAt: hexStart - jsonChain.count, after: jsonSeq) else { return nil }
            return Trailer(seq: seq, chain: chain, coveredCount: hexStart)
        }
        // …;seq=N;chain=<64>   or   …|seq=N;chain=<64>
        let hexStart = n - 64
        guard matches(line, at: hexStart - knoxChain.count, knoxChain),
              let chain = SealChain(hex: UnsafeRawBufferPointer(rebasing: line[hexStart..<n])),
              let (seq, digitsStart) = decimal(line, endingAt: hexStart - knoxChain.count, after: knoxSeq) else { return nil }
        let before = digitsStart - knoxSeq.count - 1
        guard before >= 0, line[before] == UInt8(ascii: ";") || line[before] == UInt8(ascii: "|") else { return nil }
        return Trailer(seq: seq, chain: chain, coveredCount: hexStart)
    }

    public static func parse(_ line: [UInt8]) -> Trailer? { line.withUnsafeBytes { parse($0) } }

    static let jsonSeq = Array(#","seq":"#.utf8)
    static let jsonChain = Array(#","chain":""#.utf8)
    static let knoxSeq = Array("seq=".utf8)
    static let knoxChain = Array(";chain=".utf8)

    /// A Knox record whose LOGGING_MESSAGE is empty ends with the column separator `|` (not an
    /// escaped `\|`).
    static func endsWithEmptyMessage(_ out: [UInt8], from start: Int) -> Bool {
        guard out.count > start, out.last == UInt8(ascii: "|") else { return false }
        var backslashes = 0
        var index = out.count - 2
        while index >= start, out[index] == UInt8(ascii: "\\") {
            backslashes += 1
            index -= 1
        }
        return backslashes % 2 == 0
    }

    static func matches(_ line: UnsafeRawBufferPointer, at start: Int, _ text: [UInt8]) -> Bool {
        guard start >= 0, start + text.count <= line.count else { return false }
        for index in 0..<text.count where line[start + index] != text[index] { return false }
        return true
    }

    /// The decimal number that ends at `end` and is preceded by `prefix`.
    static func decimal(_ line: UnsafeRawBufferPointer, endingAt end: Int, after prefix: [UInt8]) -> (UInt64, Int)? {
        var start = end
        while start > 0, start > end - 20, line[start - 1] >= UInt8(ascii: "0"), line[start - 1] <= UInt8(ascii: "9") { start -= 1 }
        guard start < end, matches(line, at: start - prefix.count, prefix) else { return nil }
        var value: UInt64 = 0
        for index in start..<end {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = product + UInt64(line[index] - UInt8(ascii: "0"))
        }
        return (value, start)
    }

    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }
}

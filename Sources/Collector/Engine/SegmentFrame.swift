/// A record in a disk-buffer segment: magic (2 bytes), payload length (4 bytes, little endian),
/// CRC-32 of the payload (4 bytes), payload.
enum SegmentFrame {
    static let magic: (UInt8, UInt8) = (0xB5, 0x0F)
    static let headerSize = 10
    /// Longer payloads are taken for damage (no event comes near this).
    static let maxPayload = 64 << 20

    static func append(payloadOf write: (inout [UInt8]) -> Void, to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: [magic.0, magic.1, 0, 0, 0, 0, 0, 0, 0, 0])
        write(&out)
        let length = out.count - start - headerSize
        let crc = out.withUnsafeBufferPointer { CRC32.checksum(UnsafeBufferPointer(rebasing: $0[(start + headerSize)...])) }
        store(UInt32(length), &out, start + 2)
        store(crc, &out, start + 6)
    }

    enum Parsed {
        /// A whole, valid record: its payload range within the buffer.
        case record(Range<Int>)
        /// The bytes end before the record does.
        case incomplete
        /// Not a valid record here.
        case damaged
    }

    /// Parses the record at `offset` of `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Parsed {
        let available = bytes.count - offset
        if available < headerSize {
            // A prefix of a valid header is incomplete; anything else is damage.
            if available >= 1 && bytes[offset] != magic.0 { return .damaged }
            if available >= 2 && bytes[offset + 1] != magic.1 { return .damaged }
            return .incomplete
        }
        guard bytes[offset] == magic.0, bytes[offset + 1] == magic.1 else { return .damaged }
        let length = Int(load(bytes, offset + 2))
        guard length <= maxPayload else { return .damaged }
        guard available >= headerSize + length else { return .incomplete }
        let payload = (offset + headerSize)..<(offset + headerSize + length)
        guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[payload])) == load(bytes, offset + 6) else { return .damaged }
        return .record(payload)
    }

    private static func store(_ value: UInt32, _ out: inout [UInt8], _ at: Int) {
        out[at] = UInt8(truncatingIfNeeded: value)
        out[at + 1] = UInt8(truncatingIfNeeded: value >> 8)
        out[at + 2] = UInt8(truncatingIfNeeded: value >> 16)
        out[at + 3] = UInt8(truncatingIfNeeded: value >> 24)
    }

    private static func load(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}

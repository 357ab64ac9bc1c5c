import Collector

/// The knime_log position: for every followed file its identity and the offset after the last line
/// handed out, in a compact binary form (1 version byte, then 34 bytes per file:
/// device, inode, fingerprint length (2), fingerprint, offset; little endian).
struct TailCheckpoint: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        var identity: FileIdentity
        var offset: Int64
    }

    static let version: UInt8 = 1
    var entries: [Entry]

    func encoded() -> Checkpoint {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 + entries.count * 34)
        bytes.append(Self.version)
        for entry in entries {
            Self.append(&bytes, entry.identity.device, 8)
            Self.append(&bytes, entry.identity.inode, 8)
            Self.append(&bytes, UInt64(entry.identity.fingerprintLength), 2)
            Self.append(&bytes, entry.identity.fingerprint, 8)
            Self.append(&bytes, UInt64(bitPattern: entry.offset), 8)
        }
        return Checkpoint(bytes)
    }

    /// Decodes a checkpoint written by `encoded()`; nil when it is not one.
    static func decode(_ checkpoint: Checkpoint) -> TailCheckpoint? {
        let bytes = checkpoint.bytes
        guard bytes.first == version, (bytes.count - 1) % 34 == 0 else { return nil }
        var entries: [Entry] = []
        var index = 1
        while index < bytes.count {
            let device = read(bytes, &index, 8)
            let inode = read(bytes, &index, 8)
            let length = Int(read(bytes, &index, 2))
            let fingerprint = read(bytes, &index, 8)
            let offset = Int64(bitPattern: read(bytes, &index, 8))
            guard offset >= 0, length <= FileIdentity.fingerprintBytes else { return nil }
            entries.append(Entry(identity: FileIdentity(device: device, inode: inode, fingerprintLength: length,
                                                        fingerprint: fingerprint), offset: offset))
        }
        return TailCheckpoint(entries: entries)
    }

    private static func append(_ bytes: inout [UInt8], _ value: UInt64, _ width: Int) {
        for shift in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(shift)))) }
    }

    private static func read(_ bytes: [UInt8], _ index: inout Int, _ width: Int) -> UInt64 {
        var value: UInt64 = 0
        for shift in 0..<width { value |= UInt64(bytes[index + shift]) << (8 * UInt64(shift)) }
        index += width
        return value
    }
}

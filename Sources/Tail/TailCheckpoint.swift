import Collector

/// A tailer's position: for every followed file its identity, the offset after the last line handed
/// out, the size last seen, whether it was rolled (renamed away from the name it was first seen
/// under) and that last path. Files are found again by identity, so a file renamed while the
/// collector was down (`x.log` → `x.log.3`) is continued where it was left.
///
/// Binary form, little endian: 1 version byte (2), then per file: device (8), inode (8), fingerprint
/// length (2), fingerprint (8), offset (8), size (8), flags (1: bit 0 = rolled), path length (2),
/// path bytes. Version 1 (34 bytes per file, without size, flags and path) still decodes.
public struct TailCheckpoint: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var identity: FileIdentity
        /// The start of the next unread line.
        public var offset: Int64
        /// The file's size at the tailer's last look (-1 when unknown).
        public var size: Int64
        /// The file was renamed while followed: its writer has moved on and it will not grow.
        public var rolled: Bool
        /// The path it was last seen under ("" when unknown).
        public var path: String

        public init(identity: FileIdentity, offset: Int64, size: Int64 = -1, rolled: Bool = false, path: String = "") {
            self.identity = identity
            self.offset = offset
            self.size = size
            self.rolled = rolled
            self.path = path
        }

        /// Every byte of the file had been read when the checkpoint was taken (as far as its last look knew).
        public var wasReadToEnd: Bool { size >= 0 && offset >= size }
    }

    public static let version: UInt8 = 2
    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The checkpoint in its binary form.
    public func encoded() -> Checkpoint {
        var bytes: [UInt8] = []
        var capacity = 1
        for entry in entries { capacity += 45 + entry.path.utf8.count }
        bytes.reserveCapacity(capacity)
        bytes.append(Self.version)
        for entry in entries {
            Self.append(&bytes, entry.identity.device, 8)
            Self.append(&bytes, entry.identity.inode, 8)
            Self.append(&bytes, UInt64(entry.identity.fingerprintLength), 2)
            Self.append(&bytes, entry.identity.fingerprint, 8)
            Self.append(&bytes, UInt64(bitPattern: entry.offset), 8)
            Self.append(&bytes, UInt64(bitPattern: entry.size), 8)
            bytes.append(entry.rolled ? 1 : 0)
            var path = entry.path
            path.withUTF8 { utf8 in
                let kept = UnsafeBufferPointer(rebasing: utf8.prefix(Int(UInt16.max)))
                Self.append(&bytes, UInt64(kept.count), 2)
                bytes.append(contentsOf: kept)
            }
        }
        return Checkpoint(bytes)
    }

    /// Decodes a checkpoint written by `encoded()` (version 2) or by the version 1 format; nil when
    /// it is neither (for instance another source's position).
    public static func decode(_ checkpoint: Checkpoint) -> TailCheckpoint? {
        let bytes = checkpoint.bytes
        switch bytes.first {
        case 1:
            guard (bytes.count - 1) % 34 == 0 else { return nil }
        case 2:
            break
        default:
            return nil
        }
        let current = bytes.first == 2
        var entries: [Entry] = []
        var index = 1
        while index < bytes.count {
            guard bytes.count - index >= (current ? 45 : 34) else { return nil }
            let device = read(bytes, &index, 8)
            let inode = read(bytes, &index, 8)
            let length = Int(read(bytes, &index, 2))
            let fingerprint = read(bytes, &index, 8)
            let offset = Int64(bitPattern: read(bytes, &index, 8))
            guard offset >= 0, length <= FileIdentity.fingerprintBytes else { return nil }
            var entry = Entry(identity: FileIdentity(device: device, inode: inode, fingerprintLength: length,
                                                     fingerprint: fingerprint), offset: offset)
            if current {
                entry.size = Int64(bitPattern: read(bytes, &index, 8))
                entry.rolled = bytes[index] & 1 != 0
                index += 1
                let pathLength = Int(read(bytes, &index, 2))
                guard bytes.count - index >= pathLength else { return nil }
                entry.path = String(decoding: bytes[index..<(index + pathLength)], as: UTF8.self)
                index += pathLength
            }
            entries.append(entry)
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

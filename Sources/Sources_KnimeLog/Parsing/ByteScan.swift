#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level helpers over a line held in memory (`UnsafePointer<UInt8>` + length). Nothing here
/// allocates; callers make `String`s only from the slices they keep.
enum ByteScan {
    /// Whether `bytes` occur at `p[at...]` (the caller guarantees `at + bytes.count <= length`).
    @inline(__always)
    static func matches(_ p: UnsafePointer<UInt8>, at: Int, _ bytes: StaticString) -> Bool {
        memcmp(p + at, bytes.utf8Start, bytes.utf8CodeUnitCount) == 0
    }

    /// First index `>= from` where `needle` starts, before `to`; nil when absent.
    static func find(_ p: UnsafePointer<UInt8>, from: Int, to: Int, _ needle: StaticString) -> Int? {
        let length = needle.utf8CodeUnitCount
        let first = Int32(needle.utf8Start.pointee)
        var index = from
        let last = to - length
        while index <= last {
            guard let hit = memchr(p + index, first, last - index + 1) else { return nil }
            index = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(hit))
            if memcmp(p + index, needle.utf8Start, length) == 0 { return index }
            index += 1
        }
        return nil
    }

    /// Last index `< to` (and `>= from`) where `needle` starts.
    static func findLast(_ p: UnsafePointer<UInt8>, from: Int, to: Int, _ needle: StaticString) -> Int? {
        let length = needle.utf8CodeUnitCount
        var index = to - length
        let first = needle.utf8Start.pointee
        while index >= from {
            if p[index] == first, memcmp(p + index, needle.utf8Start, length) == 0 { return index }
            index -= 1
        }
        return nil
    }

    /// Whether the 36 bytes at `at` have the shape of a UUID (8-4-4-4-12 hex digits).
    static func isUUID(_ p: UnsafePointer<UInt8>, at: Int) -> Bool {
        for offset in 0..<36 {
            let byte = p[at + offset]
            switch offset {
            case 8, 13, 18, 23:
                if byte != UInt8(ascii: "-") { return false }
            default:
                if !isHex(byte) { return false }
            }
        }
        return true
    }

    @inline(__always)
    static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }

    /// Whether every byte is ASCII (8 bytes at a time).
    static func isASCII(_ p: UnsafePointer<UInt8>, count: Int) -> Bool {
        var index = 0
        while index + 8 <= count {
            if UnsafeRawPointer(p + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if p[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// Whether the bytes are well-formed UTF-8 (ASCII fast path, then a full check).
    static func isValidUTF8(_ p: UnsafePointer<UInt8>, count: Int) -> Bool {
        var index = 0
        while index + 8 <= count {
            let word = UnsafeRawPointer(p + index).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        if index == count { return true }
        return String(validating: UnsafeBufferPointer(start: p + index, count: count - index), as: UTF8.self) != nil
    }

    /// A `String` of `p[from..<to]` (already validated as UTF-8 by the caller).
    @inline(__always)
    static func string(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: p + from, count: max(0, to - from)), as: UTF8.self)
    }
}

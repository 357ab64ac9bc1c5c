/// A job id (UUID) as two integers: hashing and comparing it allocates nothing.
struct JobKey: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    /// The UUID text at `p[at..<at+36]` (the caller checked its shape with `ByteScan.isUUID`).
    init(_ p: UnsafePointer<UInt8>, at: Int) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        for offset in 0..<36 {
            let byte = p[at + offset]
            guard byte != UInt8(ascii: "-") else { continue }
            let value = UInt64(byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x57)
            if digits < 16 { high = high << 4 | value } else { low = low << 4 | value }
            digits += 1
        }
        self.high = high
        self.low = low
    }

    init?(_ text: String) {
        var bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        let valid = bytes.withUnsafeMutableBufferPointer { ByteScan.isUUID(UnsafePointer($0.baseAddress!), at: 0) }
        guard valid else { return nil }
        self = bytes.withUnsafeMutableBufferPointer { JobKey(UnsafePointer($0.baseAddress!), at: 0) }
    }
}

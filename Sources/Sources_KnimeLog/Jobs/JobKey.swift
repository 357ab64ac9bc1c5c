/// A job id (UUID) as two integers: hashing and comparing it allocates nothing.
struct JobKey: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    /// The UUID text at `p[at..<at+36]` (the caller checked its shape with `ByteScan.isUUID`).
    init(_ p: UnsafePointer<UInt8>, at: Int) {
        @inline(__always) func hex(_ byte: UInt8) -> UInt64 {
            // '0'...'9' → 0...9, 'a'...'f' and 'A'...'F' → 10...15, without branches.
            UInt64((byte & 0x0F) &+ 9 &* (byte >> 6))
        }
        @inline(__always) func run(_ from: Int, _ count: Int, _ value: inout UInt64) {
            for index in from..<(from + count) { value = value << 4 | hex(p[at + index]) }
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        run(0, 8, &high)
        run(9, 4, &high)
        run(14, 4, &high)
        run(19, 4, &low)
        run(24, 12, &low)
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who a log file is, across renames: device + inode + a fingerprint (FNV-1a 64) of its first bytes.
///
/// The fingerprint covers the first `fingerprintLength` bytes (up to `FileIdentity.fingerprintBytes`,
/// fewer while the file is shorter), so a new file that reuses a freed inode, or a file truncated and
/// rewritten, is told apart from the one that was read, and a copy (copytruncate) is recognised.
public struct FileIdentity: Sendable, Hashable {
    /// How many first bytes the fingerprint covers at most.
    public static let fingerprintBytes = 256

    public var device: UInt64
    public var inode: UInt64
    /// How many first bytes `fingerprint` covers (less than `fingerprintBytes` while the file was shorter).
    public var fingerprintLength: Int
    public var fingerprint: UInt64

    public init(device: UInt64, inode: UInt64, fingerprintLength: Int, fingerprint: UInt64) {
        self.device = device
        self.inode = inode
        self.fingerprintLength = fingerprintLength
        self.fingerprint = fingerprint
    }

    /// The fingerprint of the first `length` bytes of `fd` (fewer when the file is shorter).
    public static func fingerprint(_ fd: Int32, length: Int) -> (length: Int, hash: UInt64) {
        var bytes = [UInt8](repeating: 0, count: length)
        var got = 0
        while got < length {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, length - got, off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for index in 0..<got {
            hash = (hash ^ UInt64(bytes[index])) &* 0x0000_0100_0000_01B3
        }
        return (got, hash)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// The exclusive lock on a pipeline's `data_dir` (`<data_dir>/lock`, holding the owner's pid), so
/// two processes never move the same checkpoints or read the same buffers.
///
/// Taken with `flock`, so it is released by the kernel when the holder exits or is killed: a stale
/// lock file never blocks a restart. `acquire` fails at once (never waits) when another process, or
/// another pipeline of this process, holds it, naming the lock file and the holder's pid.
final class DataDirectoryLock: Sendable {
    let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    static func acquire(dataDirectory: String) throws -> DataDirectoryLock {
        let path = dataDirectory + "/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CollectorError(.io, "cannot open the lock file: \(FileIO.errorText())", context: path) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var holder = [UInt8](repeating: 0, count: 32)
            let count = holder.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            close(fd)
            guard code == EWOULDBLOCK else {
                throw CollectorError(.io, "cannot lock: \(FileIO.errorText(code))", context: path)
            }
            let pid = String(decoding: holder.prefix(max(0, count)), as: UTF8.self).trimmingSpaces
            throw CollectorError(.configuration,
                "another collector (pid \(pid.isEmpty ? "unknown" : pid)) is running with this data_dir; one process per data_dir",
                context: path)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return DataDirectoryLock(path: path, descriptor: fd)
    }

    /// Releases the lock (the file stays; its pid is stale until the next holder writes its own).
    func release() {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(unicodeScalars.filter { !$0.properties.isWhitespace })
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Collector
import Logging

/// Follows the files matching a set of glob patterns, as DESIGN.md "Tailing" describes: the reusable
/// part of every line-oriented source (`knime_log`, `knox_audit`, `denodo_audit`). Sources usually
/// drive it through `TailLoop`; the source only turns chunks of lines into events.
///
/// - Date-named files (`localhost.2024-04-25.log`) and size-rolled files (log4j's
///   `DefaultRolloverStrategy`: `x.log` → `x.log.1` → … → `x.log.N`, the oldest deleted) are both
///   followed when the patterns match them (`x.log*`). Files found at the same look are read oldest
///   first (`RollOrder`): `x.log.7` … `x.log.1`, then `x.log`.
/// - Files are told apart by `FileIdentity`; a file keeps its descriptor while it matters, so a file
///   renamed or deleted with unread bytes is still read to its end (for `goneGrace` after it left its
///   path, to catch late writes, and until no complete line is left).
/// - New files are read from the beginning (or, on the first look without a checkpoint and with
///   `readFromEnd`, from after their last complete line); a new file whose first bytes equal a file
///   already read (a copytruncate copy) continues at that file's offset.
/// - A file smaller than its offset, or whose first bytes changed, was truncated: it is read again
///   from the start.
/// - Reading hands out chunks of complete lines from one reused buffer; a partial last line waits;
///   lines longer than `maxLineBytes` are skipped and counted.
///
/// Not thread-safe: one source run owns it.
public final class LogTailer {
    /// A run of complete lines read from one file, valid until the next call on the tailer.
    public struct Chunk {
        /// The bytes of complete lines, `count` of them, starting at file offset `fileOffset`.
        public var bytes: UnsafePointer<UInt8>
        public var count: Int
        public var fileOffset: Int64

        public init(bytes: UnsafePointer<UInt8>, count: Int, fileOffset: Int64) {
            self.bytes = bytes
            self.count = count
            self.fileOffset = fileOffset
        }

        /// Calls `body` with each line (without its newline), the file offset of its first byte and
        /// the offset just after its newline (the position to resume from after this line).
        @inlinable
        public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, _ start: Int64, _ next: Int64) throws -> Void) rethrows {
            var start = 0
            while start < count {
                var end = start
                while end < count && bytes[end] != 0x0A { end += 1 }
                try body(UnsafeBufferPointer(start: bytes + start, count: end - start), fileOffset + Int64(start), fileOffset + Int64(end + 1))
                start = end + 1
            }
        }
    }

    public let patterns: [String]
    public let maxLineBytes: Int
    public let readFromEnd: Bool
    public let goneGrace: Duration
    public let idleClose: Duration
    private let logger: Logger
    private let bufferSize: Int
    private let buffer: UnsafeMutablePointer<UInt8>

    /// Followed files, oldest first.
    public private(set) var files: [TailedFile] = []
    /// Checkpoint entries not yet matched to a file on disk.
    private var restored: [TailCheckpoint.Entry] = []
    private var hadCheckpoint = false
    private var firstLook = true
    /// Fingerprints of truncated files and the offset they had been read to (copytruncate copies).
    private var truncated: [(length: Int, hash: UInt64, offset: Int64)] = []

    /// Lines longer than the buffer, skipped (and counted) by the tailer itself.
    public private(set) var overLongLines = 0

    /// Does no I/O: files are looked at from the first `refresh`.
    public init(patterns: [String], maxLineBytes: Int, readFromEnd: Bool, logger: Logger,
         bufferSize: Int = 256 << 10, goneGrace: Duration = .seconds(2), idleClose: Duration = .seconds(300)) {
        self.patterns = patterns
        self.maxLineBytes = maxLineBytes
        self.readFromEnd = readFromEnd
        self.logger = logger
        self.bufferSize = max(bufferSize, maxLineBytes + 1)
        self.buffer = .allocate(capacity: self.bufferSize + 1)
        self.goneGrace = goneGrace
        self.idleClose = idleClose
    }

    deinit {
        for file in files where file.fd >= 0 { close(file.fd) }
        buffer.deallocate()
    }

    /// The folders holding the patterns (for inotify).
    public var folders: [String] {
        patterns.map { pattern in
            guard let slash = pattern.lastIndex(of: "/") else { return "." }
            return slash == pattern.startIndex ? "/" : String(pattern[..<slash])
        }
    }

    /// Starts from a checkpoint: its files are found by identity at the next `refresh`.
    public func restore(_ checkpoint: TailCheckpoint) {
        restored = checkpoint.entries
        hadCheckpoint = true
    }

    // MARK: Looking at the folders

    /// Finds new, renamed, rotated, truncated and vanished files.
    public func refresh(now: ContinuousClock.Instant = .now) {
        var seen = Set<ObjectIdentifier>()
        var newcomers: [(path: String, info: stat)] = []
        for path in FileIO.glob(patterns) {
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if let file = files.first(where: { $0.identity.device == UInt64(info.st_dev) && $0.identity.inode == UInt64(info.st_ino) }) {
                if file.fd < 0 && !reopen(file, path: path, info: info) {
                    // The inode was freed and reused by another file: forget the old one.
                    files.removeAll { $0 === file }
                    newcomers.append((path, info))
                    continue
                }
                if file.path != path {
                    if !file.path.isEmpty {
                        logger.info("log file renamed", metadata: ["from": "\(file.path)", "to": "\(path)"])
                        file.rolled = true
                    }
                    file.path = path
                }
                file.goneSince = nil
                seen.insert(ObjectIdentifier(file))
            } else {
                newcomers.append((path, info))
            }
        }
        newcomers = RollOrder.oldestFirst(newcomers, path: { $0.path }, modified: { $0.info.st_mtim })
        var opened = Set<[UInt64]>()
        for (path, info) in newcomers {
            // One file reached by two patterns or two names (hard links) is followed once.
            guard opened.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { continue }
            if let file = open(path: path, info: info, now: now) {
                files.append(file)
                seen.insert(ObjectIdentifier(file))
            }
        }
        if !restored.isEmpty {
            for entry in restored { reportMissing(entry) }
            restored.removeAll()
        }
        firstLook = false
        for file in files where !seen.contains(ObjectIdentifier(file)) && file.goneSince == nil {
            file.goneSince = now
        }
        checkTruncation()
        closeFinished(now: now)
    }

    /// A checkpointed file is not on disk any more (looked for by identity under every path the
    /// patterns match). A rolled file read to its end is the normal end of a rotation chain; anything
    /// else may have cost lines, and says so.
    private func reportMissing(_ entry: TailCheckpoint.Entry) {
        var metadata: Logger.Metadata = ["file": "\(entry.path.isEmpty ? "?" : entry.path)", "inode": "\(entry.identity.inode)",
                                         "offset": "\(entry.offset)"]
        if entry.rolled && entry.wasReadToEnd {
            logger.info("a rolled log file, read to its end, was deleted", metadata: metadata)
        } else if entry.size > entry.offset {
            metadata["unread_bytes"] = "\(entry.size - entry.offset)"
            logger.error("""
                LINES LOST: a log file was deleted or rolled out of `paths` before it was read to its end \
                (more rollovers than the chain keeps while the collector was stopped?); the lines after \
                `offset` were never read: at least `unread_bytes` bytes, plus anything written to it later
                """, metadata: metadata)
        } else {
            logger.error("""
                LINES MAY BE LOST: a log file being written was deleted or rolled out of `paths` while the \
                collector was stopped (more rollovers than the chain keeps?); whatever was written to it \
                after `offset` was never read
                """, metadata: metadata)
        }
    }

    /// Reopens a closed file found again under `path`; false when it is not the same file any more.
    private func reopen(_ file: TailedFile, path: String, info: stat) -> Bool {
        if Int64(info.st_size) == file.lastSize && !file.path.isEmpty { return true } // unchanged: stays closed
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }
        let print = FileIdentity.fingerprint(fd, length: file.identity.fingerprintLength)
        guard print.length == file.identity.fingerprintLength, print.hash == file.identity.fingerprint else {
            close(fd)
            logger.info("inode reused by a new file", metadata: ["file": "\(path)"])
            return false
        }
        file.fd = fd
        return true
    }

    private func open(path: String, info: stat, now: ContinuousClock.Instant) -> TailedFile? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            logger.error("cannot open log file", metadata: ["file": "\(path)", "error": "\(FileIO.errorText())"])
            return nil
        }
        let print = FileIdentity.fingerprint(fd, length: FileIdentity.fingerprintBytes)
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
                                    fingerprintLength: print.length, fingerprint: print.hash)
        var offset: Int64 = 0
        var rolled = false
        var awaitingCopy = false
        if let index = restored.firstIndex(where: { matches($0.identity, identity, fd) }) {
            let entry = restored[index]
            offset = min(entry.offset, Int64(info.st_size))
            rolled = entry.rolled || (!entry.path.isEmpty && entry.path != path) || RollOrder.chainKey(path).index > 0
            if !entry.path.isEmpty && entry.path != path {
                logger.info("log file renamed while the collector was stopped", metadata: ["from": "\(entry.path)", "to": "\(path)"])
            }
            restored.remove(at: index)
        } else if let copy = copiedOffset(identity) {
            // The copy may still be being written (seen at its first bytes): wait for it to reach
            // what was read rather than reading the end of what was read again.
            offset = copy
            awaitingCopy = copy > Int64(info.st_size)
            logger.info("log file is a copy of one already read (copytruncate); continuing after what was read",
                        metadata: ["file": "\(path)", "offset": "\(offset)", "size": "\(info.st_size)"])
        } else if firstLook && !hadCheckpoint && readFromEnd {
            offset = Self.afterLastNewline(fd, size: Int64(info.st_size))
        } else if !firstLook || hadCheckpoint {
            logger.info("new log file", metadata: ["file": "\(path)"])
        }
        let file = TailedFile(path: path, identity: identity, offset: offset, now: now)
        file.fd = fd
        file.awaitingCopy = awaitingCopy
        // A numbered name (`x.log.3`) is a rolled file: its writer has moved on to `x.log`.
        file.rolled = rolled || RollOrder.chainKey(path).index > 0
        return file
    }

    /// A checkpoint entry names this file when device and inode agree and the file still starts with
    /// the bytes the entry's fingerprint covers.
    private func matches(_ entry: FileIdentity, _ identity: FileIdentity, _ fd: Int32) -> Bool {
        guard entry.device == identity.device, entry.inode == identity.inode else { return false }
        if entry.fingerprintLength == identity.fingerprintLength { return entry.fingerprint == identity.fingerprint }
        let print = FileIdentity.fingerprint(fd, length: entry.fingerprintLength)
        return print.length == entry.fingerprintLength && print.hash == entry.fingerprint
    }

    private func copiedOffset(_ identity: FileIdentity) -> Int64? {
        guard identity.fingerprintLength >= 64 else { return nil }
        // Only files still at their path can be the source of a copy (a deleted or renamed-away file
        // whose first bytes happen to equal a new file's is not).
        if let live = files.first(where: { $0.goneSince == nil && $0.identity.fingerprintLength == identity.fingerprintLength
                                           && $0.identity.fingerprint == identity.fingerprint }) {
            return live.offset
        }
        return truncated.last { $0.length == identity.fingerprintLength && $0.hash == identity.fingerprint }?.offset
    }

    /// Truncation: the file is shorter than what was read, or its first bytes changed.
    private func checkTruncation() {
        for file in files where file.fd >= 0 {
            var info = stat()
            guard fstat(file.fd, &info) == 0 else { continue }
            let size = Int64(info.st_size)
            defer { file.lastSize = size }
            guard size != file.lastSize else { continue }
            let old = file.identity
            let print = FileIdentity.fingerprint(file.fd, length: old.fingerprintLength)
            let rewritten = old.fingerprintLength > 0 && (print.length < old.fingerprintLength || print.hash != old.fingerprint)
            if file.awaitingCopy && !rewritten {
                // A copytruncate copy still shorter than what was read of the original: not a truncation.
                if size >= file.offset { file.awaitingCopy = false }
                continue
            }
            if size < file.offset || rewritten {
                logger.warning("log file truncated; reading it again from the start",
                               metadata: ["file": "\(file.path)", "offset": "\(file.offset)", "size": "\(size)"])
                if old.fingerprintLength >= 64 {
                    truncated.append((old.fingerprintLength, old.fingerprint, file.offset))
                    if truncated.count > 16 { truncated.removeFirst() }
                }
                file.offset = 0
                file.skipping = false
                let fresh = FileIdentity.fingerprint(file.fd, length: FileIdentity.fingerprintBytes)
                file.identity.fingerprintLength = fresh.length
                file.identity.fingerprint = fresh.hash
            } else if old.fingerprintLength < FileIdentity.fingerprintBytes && size > Int64(old.fingerprintLength) {
                let grown = FileIdentity.fingerprint(file.fd, length: FileIdentity.fingerprintBytes)
                file.identity.fingerprintLength = grown.length
                file.identity.fingerprint = grown.hash
            }
        }
    }

    /// Closes files that left their path (after the grace, once read to the end) and idle files.
    private func closeFinished(now: ContinuousClock.Instant) {
        files.removeAll { file in
            guard let gone = file.goneSince else { return false }
            // Read to the very end first (`nextChunk` hands out a final unterminated line after the grace).
            guard now - gone >= goneGrace, remaining(file) == 0 else { return false }
            if file.fd >= 0 { close(file.fd) }
            return true
        }
        for file in files where file.fd >= 0 && file.goneSince == nil && now - file.lastActivity >= idleClose
            && remaining(file) == 0 {
            close(file.fd)
            file.fd = -1
        }
    }

    private func remaining(_ file: TailedFile) -> Int64 {
        guard file.fd >= 0 else { return 0 }
        var info = stat()
        guard fstat(file.fd, &info) == 0 else { return 0 }
        return max(0, Int64(info.st_size) - file.offset)
    }

    /// Whether a complete line (a newline) lies after the file's offset.
    private func hasUnreadLines(_ file: TailedFile) -> Bool {
        let left = remaining(file)
        guard left > 0 else { return false }
        let probe = Int(min(left, Int64(bufferSize)))
        let n = pread(file.fd, buffer, probe, off_t(file.offset))
        return n > 0 && memchr(buffer, 0x0A, n) != nil || left > Int64(bufferSize)
    }

    // MARK: Reading

    /// The next chunk of complete lines of `file`, or nil when only a partial line (or nothing) is
    /// left. The caller parses it and then sets `file.offset` to `fileOffset + count`. Over-long
    /// lines are skipped here and never handed out.
    public func nextChunk(_ file: TailedFile, now: ContinuousClock.Instant = .now) -> Chunk? {
        guard file.fd >= 0 else { return nil }
        while true {
            var n = 0
            repeat { n = pread(file.fd, buffer, bufferSize, off_t(file.offset)) } while n < 0 && errno == EINTR
            guard n > 0 else { return nil }
            file.lastActivity = now
            var start = 0
            if file.skipping {
                guard let newline = memchr(buffer, 0x0A, n) else {
                    file.offset += Int64(n)
                    continue
                }
                start = UnsafeRawPointer(buffer).distance(to: newline) + 1
                file.skipping = false
                logger.warning("over-long line skipped", metadata: ["file": "\(file.path)", "max_line_bytes": "\(maxLineBytes)"])
            }
            // The last newline: everything before it is complete lines.
            var end = n
            while end > start, buffer[end - 1] != 0x0A { end -= 1 }
            if end == start {
                if n - start > maxLineBytes {
                    // No newline within max_line_bytes: skip the line up to its newline.
                    overLongLines += 1
                    file.skipping = true
                    file.offset += Int64(n)
                    continue
                }
                if start > 0 && n == bufferSize {
                    // The buffer began with the end of a skipped line: read again after it.
                    file.offset += Int64(start)
                    continue
                }
                if let gone = file.goneSince, now - gone >= goneGrace, n < bufferSize {
                    // The file left its path long ago and will not grow: its unterminated last line
                    // is a line (the buffer always has room for one more byte).
                    logger.warning("rotated log file ends without a line break; reading its last line as it is",
                                   metadata: ["file": "\(file.path)", "bytes": "\(n - start)"])
                    buffer[n] = 0x0A
                    file.offset += Int64(start)
                    return Chunk(bytes: UnsafePointer(buffer + start), count: n + 1 - start, fileOffset: file.offset)
                }
                file.offset += Int64(start)
                return nil
            }
            file.offset += Int64(start)
            return Chunk(bytes: UnsafePointer(buffer + start), count: end - start, fileOffset: file.offset)
        }
    }

    /// Whether every followed file has been read up to its last complete line.
    public var allRead: Bool {
        files.allSatisfy { !hasUnreadLines($0) }
    }

    /// The position of every followed file, with `file` at `offset` (the position after a line).
    /// Not-yet-found checkpoint entries are kept in it until the first look has searched for them.
    public func checkpoint(_ file: TailedFile? = nil, offset: Int64 = 0) -> Checkpoint {
        TailCheckpoint(entries: files.map { tracked in
            TailCheckpoint.Entry(identity: tracked.identity, offset: tracked === file ? offset : tracked.offset,
                                 size: tracked.lastSize, rolled: tracked.rolled, path: tracked.path)
        } + restored).encoded()
    }

    // MARK: Helpers

    static func afterLastNewline(_ fd: Int32, size: Int64) -> Int64 {
        var end = size
        var block = [UInt8](repeating: 0, count: 65_536)
        while end > 0 {
            let start = max(0, end - Int64(block.count))
            let n = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(end - start), off_t(start)) }
            guard n > 0 else { return 0 }
            if let last = block[0..<n].lastIndex(of: 0x0A) { return start + Int64(last) + 1 }
            end = start
        }
        return 0
    }
}

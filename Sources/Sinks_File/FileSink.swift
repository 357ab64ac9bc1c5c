#if canImport(Glibc)
import Glibc
#endif
import Collector
import Dispatch
import Logging
import Synchronization

/// Appends events to a file, one record per line, and acknowledges only after `fsync`.
///
/// A batch is written with as few `write` calls as possible and synced once. If writing fails
/// halfway, the file is cut back to where the batch began, and at start a partial last line left by
/// a crash is cut off (it was never acknowledged, so it will be written again whole): a reader never
/// sees half a record as a whole one. Files are created 0640 and folders 0750. Blocking calls run on
/// a serial dispatch queue of the sink's own, off the cooperative pool.
public final class FileSink: Sink {
    public let configuration: FileSinkConfiguration
    private let logger: Logger
    private let queue = DispatchQueue(label: "collector.file-sink")
    private let state = Mutex(State())
    private let now: @Sendable () -> Int

    private struct State {
        var fd: Int32 = -1
        var size: Int = 0
        /// Local day (yyyy-MM-dd) the open file belongs to.
        var day: String = ""
    }

    /// `now` gives the wall-clock seconds used for daily rollover (tests pass their own clock).
    public init(configuration: FileSinkConfiguration, logger: Logger, now: @escaping @Sendable () -> Int = { time(nil) }) {
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    public func start() async throws {
        try await offload { try self.openIfNeeded() }
    }

    public func write(_ events: [AuditEvent]) async throws -> SinkResult {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(events.count * 512)  // a knox or JSON line is 300-600 bytes: one allocation, no doubling
        for event in events { configuration.format.appendLine(event, to: &bytes) }
        let record = bytes
        try await offload { try self.append(record) }
        return .accepted
    }

    public func shutdown() async {
        state.withLock { state in
            if state.fd >= 0 {
                close(state.fd)
                state.fd = -1
            }
        }
    }

    private func offload(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    // MARK: On the sink's queue

    private var path: String { configuration.path }

    private func openIfNeeded() throws {
        try state.withLock { state in
            guard state.fd < 0 else { return }
            try open(&state)
        }
    }

    private func open(_ state: inout State) throws {
        try FileIO.makeDirectories(FileIO.parent(of: path))
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw CollectorError(.io, "cannot open: \(FileIO.errorText())", isRetriable: true, context: path)
        }
        var info = stat()
        fstat(fd, &info)
        var size = Int(info.st_size)
        if size > 0 {
            let kept = try Self.endOfLastWholeLine(path: path, size: size)
            if kept < size {
                guard ftruncate(fd, off_t(kept)) == 0 else {
                    close(fd)
                    throw CollectorError(.io, "cannot cut a partial record: \(FileIO.errorText())", isRetriable: true, context: path)
                }
                try FileIO.sync(fd, path: path)
                logger.warning("cut a partial last record left by an interrupted write (it was not acknowledged and is written again)",
                               metadata: ["file": "\(path)", "bytes": "\(size - kept)"])
                size = kept
            }
        }
        try FileIO.syncDirectory(FileIO.parent(of: path))
        state.fd = fd
        state.size = size
        state.day = size > 0 ? Self.localDay(Int(info.st_mtim.tv_sec)) : Self.localDay(now())
    }

    private func append(_ bytes: [UInt8]) throws {
        try state.withLock { state in
            if state.fd < 0 { try open(&state) }
            let rotation = configuration.rotation
            if rotation.daily, Self.localDay(now()) != state.day, state.size > 0 {
                try rotate(&state)
            }
            if rotation.maxBytes > 0, state.size > 0, state.size + bytes.count > rotation.maxBytes {
                try rotate(&state)
            }
            do {
                try bytes.withUnsafeBytes { try FileIO.writeAll(state.fd, $0, path: path) }
                try FileIO.sync(state.fd, path: path)
            } catch {
                // Leave no partial batch behind: it is written again, whole.
                _ = ftruncate(state.fd, off_t(state.size))
                throw error
            }
            state.size += bytes.count
        }
    }

    private func rotate(_ state: inout State) throws {
        close(state.fd)
        state.fd = -1
        let rotation = configuration.rotation
        if rotation.daily {
            var target = "\(path).\(state.day)"
            var index = 1
            while FileIO.exists(target) {
                target = "\(path).\(state.day).\(index)"
                index += 1
            }
            try rename(path, to: target)
        } else if rotation.keep > 0 {
            for index in stride(from: rotation.keep - 1, through: 1, by: -1) where FileIO.exists("\(path).\(index)") {
                try rename("\(path).\(index)", to: "\(path).\(index + 1)")
            }
            try rename(path, to: "\(path).1")
        } else {
            unlink(path)
        }
        prune()
        try open(&state)
        logger.info("rolled over", metadata: ["file": "\(path)"])
    }

    private func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw CollectorError(.io, "cannot roll over to \(to): \(FileIO.errorText())", isRetriable: true, context: from)
        }
    }

    /// Deletes the oldest rolled files beyond `keep`.
    private func prune() {
        let folder = FileIO.parent(of: path)
        let base = FileIO.lastComponent(of: path)
        guard let names = FileIO.list(folder) else { return }
        var rolled: [(name: String, mtime: Int)] = []
        for name in names where name.hasPrefix(base + ".") {
            let suffix = name.dropFirst(base.count + 1)
            guard !suffix.isEmpty, suffix.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "." }) else { continue }
            var info = stat()
            guard stat("\(folder)/\(name)", &info) == 0 else { continue }
            rolled.append((name, Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)))
        }
        rolled.sort { $0.mtime != $1.mtime ? $0.mtime > $1.mtime : $0.name > $1.name }
        for old in rolled.dropFirst(configuration.rotation.keep) {
            unlink("\(folder)/\(old.name)")
            logger.info("deleted an old rolled file", metadata: ["file": "\(folder)/\(old.name)"])
        }
    }

    public static func localDay(_ seconds: Int) -> String {
        var value = time_t(seconds)
        var fields = tm()
        localtime_r(&value, &fields)
        let year = Int(fields.tm_year) + 1900
        let month = Int(fields.tm_mon) + 1
        let day = Int(fields.tm_mday)
        return "\(FileIO.zeroPadded(year, 4))-\(FileIO.zeroPadded(month, 2))-\(FileIO.zeroPadded(day, 2))"
    }

    /// The length of the file up to and including its last line break.
    static func endOfLastWholeLine(path: String, size: Int) throws -> Int {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CollectorError(.io, "cannot open: \(FileIO.errorText())", isRetriable: true, context: path) }
        defer { close(fd) }
        var end = size
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while end > 0 {
            let start = max(0, end - chunk.count)
            let count = end - start
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(start)) }
            guard n == count else { throw CollectorError(.io, "cannot read: \(FileIO.errorText())", isRetriable: true, context: path) }
            if let index = chunk[0..<count].lastIndex(of: UInt8(ascii: "\n")) { return start + index + 1 }
            end = start
        }
        return 0
    }
}

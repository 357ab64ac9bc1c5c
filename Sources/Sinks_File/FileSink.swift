#if canImport(Glibc)
import Glibc
#endif
import Collector
import Dispatch
import Logging
import Seal
import Synchronization

/// Appends events to a file, one record per line, and acknowledges only after `fsync`.
///
/// A batch is written with as few `write` calls as possible and synced once. If writing fails
/// halfway, the file is cut back to where the batch began, and at start a partial last line left by
/// a crash is cut off (it was never acknowledged, so it will be written again whole): a reader never
/// sees half a record as a whole one. Files are created 0640 and folders 0750. Blocking calls run on
/// a serial dispatch queue of the sink's own, off the cooperative pool.
///
/// With `seal`, every record carries `seq` and `chain` and digests sign them (see `FileSealer`):
/// every `digest_interval_s` (checked at each batch and by a timer), before every roll (the digest
/// announces the roll's renames and deletions) and at shutdown; a restart continues the chain from
/// the last digest and the records after it.
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
        var sealer: FileSealer?
        var timer: (any DispatchSourceTimer)?
    }

    /// `now` gives the wall-clock seconds used for daily rollover (tests pass their own clock).
    public init(configuration: FileSinkConfiguration, logger: Logger, now: @escaping @Sendable () -> Int = { time(nil) }) {
        self.configuration = configuration
        self.logger = logger
        self.now = now
        if let seal = configuration.seal, let key = seal.key {
            state.withLock { $0.sealer = FileSealer(configuration: seal, key: key, format: configuration.format, path: configuration.path) }
        }
    }

    public func start() async throws {
        try await offload { try self.openIfNeeded() }
        if let seal = configuration.seal { startDigestTimer(every: min(seal.digestIntervalSeconds, 60)) }
    }

    public func write(_ events: [AuditEvent]) async throws -> SinkResult {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(events.count * 512)  // a knox or JSON line is 300-600 bytes: one allocation, no doubling
        if configuration.seal != nil {
            // Records without line breaks: the seal of each is appended under the lock, in chain order.
            var ends: [Int] = []
            ends.reserveCapacity(events.count)
            for event in events {
                switch configuration.format {
                case .json: EventJSONEncoder().append(event, to: &bytes)
                case .knox(let layout): layout.append(event, to: &bytes)
                }
                ends.append(bytes.count)
            }
            let (records, recordEnds) = (bytes, ends)
            try await offload { try self.append(records, sealing: recordEnds) }
            return .accepted
        }
        for event in events { configuration.format.appendLine(event, to: &bytes) }
        let record = bytes
        try await offload { try self.append(record) }
        return .accepted
    }

    public func shutdown() async {
        if configuration.seal != nil {
            try? await offload { self.sealAtShutdown() }
        }
        state.withLock { state in
            state.timer?.cancel()
            state.timer = nil
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
        if state.sealer != nil, state.sealer?.loaded == false { try state.sealer!.load(now: now(), logger: logger) }
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
        if state.sealer != nil, state.sealer?.loaded == false {
            do {
                if try state.sealer!.recover(size: size, logger: logger) { try state.sealer!.writeDigest(reason: "restart", now: now()) }
            } catch {
                close(fd)
                state.fd = -1
                throw error
            }
        }
    }

    private func append(_ records: [UInt8], sealing ends: [Int]) throws {
        try state.withLock { state in
            if state.fd < 0 { try open(&state) }
            let framed = state.sealer!.frame(records, ends: ends)
            try append(framed.bytes, &state)
            state.sealer!.commit(framed)
        }
    }

    private func append(_ bytes: [UInt8]) throws {
        try state.withLock { state in try append(bytes, &state) }
    }

    private func append(_ bytes: [UInt8], _ state: inout State) throws {
        if state.fd < 0 { try open(&state) }
        let rotation = configuration.rotation
        if rotation.daily, Self.localDay(now()) != state.day, state.size > 0 {
            try rotate(&state)
        }
        if rotation.maxBytes > 0, state.size > 0, state.size + bytes.count > rotation.maxBytes {
            try rotate(&state)
        }
        if let sealer = state.sealer, sealer.isDue(now: now()) {
            try state.sealer!.writeDigest(reason: "interval", now: now())
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

    private func rotate(_ state: inout State) throws {
        close(state.fd)
        state.fd = -1
        let plan = FileRollPlan.make(path: path, day: state.day, rotation: configuration.rotation)
        // A sealed sink signs what it is about to do: verify follows the renames and deletions.
        try state.sealer?.writeDigest(reason: "roll", now: now(), renamed: plan.renames.map { SealDigest.Rename(from: $0.from, to: $0.to) },
                                      deleted: plan.deletions)
        try plan.apply(in: FileIO.parent(of: path))
        for name in plan.deletions { logger.info("deleted an old rolled file", metadata: ["file": "\(FileIO.parent(of: path))/\(name)"]) }
        try open(&state)
        logger.info("rolled over", metadata: ["file": "\(path)"])
    }

    /// Signs what is left at shutdown (also when nothing was written since the last digest).
    private func sealAtShutdown() {
        state.withLock { state in
            guard state.fd >= 0, state.sealer?.loaded == true else { return }
            do {
                try state.sealer!.writeDigest(reason: "shutdown", now: now())
            } catch {
                logger.error("cannot write the shutdown digest: \(error)", metadata: ["file": "\(path)"])
            }
        }
    }

    /// Writes interval digests while no events arrive.
    private func startDigestTimer(every seconds: Int) {
        let queue = self.queue
        state.withLock { state in
            state.timer?.cancel()
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + .seconds(seconds), repeating: .seconds(seconds), leeway: .seconds(1))
            timer.setEventHandler { [weak self] in self?.digestIfDue() }
            timer.resume()
            state.timer = timer
        }
    }

    private func digestIfDue() {
        state.withLock { state in
            guard state.fd >= 0, let sealer = state.sealer, sealer.loaded, sealer.isDue(now: now()) else { return }
            do {
                try state.sealer!.writeDigest(reason: "interval", now: now())
            } catch {
                logger.error("cannot write a digest (retried at the next batch or tick): \(error)", metadata: ["file": "\(path)"])
            }
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

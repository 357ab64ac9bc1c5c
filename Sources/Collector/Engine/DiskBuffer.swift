#if canImport(Glibc)
import Glibc
#endif
import Logging
import DequeModule
import Synchronization

/// A sink's disk buffer: a write-ahead log of segment files `<20-digit id>.seg` in one folder.
///
/// One writer (`append`, then `finishWriting`) and one reader (`next`, `acknowledge`) at a time.
/// `append` returns once the events are fsync'd (one fsync per call: group commit), so the caller
/// may acknowledge them upstream; it suspends while the buffer holds `maxBytes` or more (back-
/// pressure, never a drop). The reader gets records in order; a segment is deleted once the reader
/// has passed its end and every record it handed out from it was acknowledged. After a restart the
/// reader starts at the oldest segment left (records of a partly delivered segment come again:
/// duplicates with the same event id), and the writer starts a new segment. The reader's position
/// (the end of the contiguous acknowledged prefix) is kept in `ack` in the folder (written on every
/// acknowledgement, not fsync'd: losing it only means duplicates), so a restart after a crash
/// resumes there instead of at the start of the oldest segment.
///
/// Damage: a record that does not parse (bad magic, length or CRC) is resynchronised past: when a
/// valid record follows in the same segment, the bad bytes are reported as an error with the
/// segment file and byte offset and skipped; when none follows, they are a torn tail (a crash during
/// a write that was never acknowledged upstream), reported as a warning and cut off.
final class DiskBuffer: Sendable {
    let directory: String
    let maxBytes: Int
    let segmentBytes: Int
    private let logger: Logger
    private let state: Mutex<State>

    private struct Segment {
        var bytes: Int
        /// Records handed to the reader's caller and not yet acknowledged.
        var outstanding = 0
        /// The reader passed its end (and it is not the segment being written).
        var passed = false
    }

    private struct State {
        var segments: [UInt64: Segment] = [:]
        var totalBytes = 0
        var writeID: UInt64 = 0
        var writeFD: Int32 = -1
        /// Durable end of the segment being written.
        var writeEnd = 0
        var writerFinished = false
        var readID: UInt64 = 0
        var readOffset = 0
        var readFD: Int32 = -1
        var readFDID: UInt64 = .max
        var reader: CheckedContinuation<Void, Never>?
        var writer: CheckedContinuation<Void, Never>?
        var loggedDecile = 0
        var closed = false
        /// Batches handed out, in order, until every earlier one is acknowledged too.
        var handedOut: Deque<(sequence: UInt64, segment: UInt64, end: Int, done: Bool)> = []
        var nextSequence: UInt64 = 0
        var ledgerFD: Int32 = -1
    }

    /// A batch handed out by `next`: its events and what acknowledging it releases.
    struct Batch: Sendable {
        var events: [AuditEvent]
        var spans: [(segment: UInt64, records: Int)]
        var sequence: UInt64 = 0
    }

    /// Opens (creating) the folder, lists the segments a previous run left, starts a new one.
    init(directory: String, maxBytes: Int, logger: Logger) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        self.segmentBytes = max(64 << 10, min(32 << 20, maxBytes / 8))
        self.logger = logger
        try FileIO.makeDirectories(directory)
        var start = State()
        for name in FileIO.list(directory) ?? [] {
            guard name.hasSuffix(".seg"), let id = UInt64(name.dropLast(4)) else { continue }
            var info = stat()
            guard stat("\(directory)/\(name)", &info) == 0 else { continue }
            if info.st_size == 0 {
                unlink("\(directory)/\(name)")
                continue
            }
            start.segments[id] = Segment(bytes: Int(info.st_size))
            start.totalBytes += Int(info.st_size)
        }
        start.readID = start.segments.keys.min() ?? 1
        start.writeID = (start.segments.keys.max() ?? 0) + 1
        if start.segments.isEmpty { start.readID = start.writeID }
        if let (id, offset) = try Self.readLedger(directory) {
            for old in start.segments.keys where old < id {
                unlink(Self.path(directory, old))
                start.totalBytes -= start.segments.removeValue(forKey: old)?.bytes ?? 0
            }
            if let segment = start.segments[id], offset <= segment.bytes {
                start.readID = id
                start.readOffset = offset
            } else {
                start.readID = start.segments.keys.filter { $0 > id }.min() ?? start.writeID
            }
        }
        start.ledgerFD = open(directory + "/ack", O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        guard start.ledgerFD >= 0 else {
            throw CollectorError(.io, "cannot open the buffer's acknowledgement file: \(FileIO.errorText())", context: directory + "/ack")
        }
        let fd = open(Self.path(directory, start.writeID), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw CollectorError(.io, "cannot create a buffer segment: \(FileIO.errorText())", context: Self.path(directory, start.writeID))
        }
        start.writeFD = fd
        start.segments[start.writeID] = Segment(bytes: 0)
        start.loggedDecile = start.totalBytes * 10 / maxBytes
        state = Mutex(start)
        try FileIO.syncDirectory(directory)
        if start.segments.count > 1 {
            logger.info("disk buffer holds events from an earlier run; delivering them first",
                        metadata: ["folder": "\(directory)", "bytes": "\(start.totalBytes)", "segments": "\(start.segments.count - 1)"])
        }
    }

    static func path(_ directory: String, _ id: UInt64) -> String {
        "\(directory)/\(FileIO.zeroPadded(Int(id), 20)).seg"
    }

    // MARK: Writing

    /// Appends the events durably (written and fsync'd); suspends while the buffer is full.
    /// Throws a retriable I/O error (nothing of the batch counts as written then) or
    /// `CancellationError`.
    func append(_ events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(events.count * 400)
        for event in events {
            SegmentFrame.append(payloadOf: { EventRecordCodec.append(event, to: &$0) }, to: &bytes)
        }
        try await waitForSpace(bytes.count)
        try rollIfNeeded(adding: bytes.count)
        let (fd, end, id) = state.withLock { ($0.writeFD, $0.writeEnd, $0.writeID) }
        let path = Self.path(directory, id)
        do {
            try bytes.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
            try FileIO.sync(fd, path: path)
        } catch {
            // Cut what may have been written, so the segment holds whole records only.
            _ = ftruncate(fd, off_t(end))
            _ = lseek(fd, off_t(end), SEEK_SET)
            throw error
        }
        let (reader, level) = state.withLock { state -> (CheckedContinuation<Void, Never>?, (Int, Int)?) in
            state.writeEnd += bytes.count
            state.segments[id, default: Segment(bytes: 0)].bytes += bytes.count
            state.totalBytes += bytes.count
            defer { state.reader = nil }
            return (state.reader, Self.levelChange(&state, maxBytes))
        }
        reader?.resume()
        if let level { logFill(level) }
    }

    /// The writer is done: the reader returns nil once it has read everything.
    func finishWriting() {
        let reader = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.writerFinished = true
            defer { state.reader = nil }
            return state.reader
        }
        reader?.resume()
    }

    private func waitForSpace(_ count: Int) async throws {
        while true {
            try Task.checkCancellation()
            let fits = state.withLock { Self.fits($0, count, maxBytes) }
            if fits { return }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = state.withLock { state -> Bool in
                        if state.closed || Self.fits(state, count, maxBytes) { return true }
                        state.writer = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                let writer = state.withLock { state in
                    defer { state.writer = nil }
                    return state.writer
                }
                writer?.resume()
            }
        }
    }

    /// Room for `count` more bytes; a buffer holding only the segment being written always has room
    /// (so one batch larger than the whole buffer still goes through).
    private static func fits(_ state: State, _ count: Int, _ maxBytes: Int) -> Bool {
        state.totalBytes + count <= maxBytes || state.totalBytes == (state.segments[state.writeID]?.bytes ?? 0)
    }

    private func rollIfNeeded(adding count: Int) throws {
        let (id, end, fd) = state.withLock { ($0.writeID, $0.writeEnd, $0.writeFD) }
        guard end > 0, end + count > segmentBytes else { return }
        let next = id + 1
        let path = Self.path(directory, next)
        let newFD = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard newFD >= 0 else {
            throw CollectorError(.io, "cannot create a buffer segment: \(FileIO.errorText())", isRetriable: true, context: path)
        }
        try FileIO.syncDirectory(directory)
        let remove = state.withLock { state -> Bool in
            state.writeID = next
            state.writeFD = newFD
            state.writeEnd = 0
            state.segments[next] = Segment(bytes: 0)
            // The reader may already be at the end of the segment just sealed.
            return Self.passIfDone(&state, id)
        }
        Glibc.close(fd)
        if remove { removeSegment(id) }
    }

    // MARK: Reading

    /// Up to `max` events in order, waiting for at least one; nil once the writer finished and
    /// everything was read, or when the task is cancelled.
    func next(max: Int) async -> Batch? {
        while true {
            if Task.isCancelled { return nil }
            if let batch = readSome(max: max) { return batch }
            let ended = state.withLock { state in
                state.writerFinished && state.readID == state.writeID && state.readOffset >= state.writeEnd
            }
            if ended { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = state.withLock { state -> Bool in
                        let more = state.readID != state.writeID || state.readOffset < state.writeEnd
                        if more || state.writerFinished || state.closed { return true }
                        state.reader = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                let reader = state.withLock { state in
                    defer { state.reader = nil }
                    return state.reader
                }
                reader?.resume()
            }
        }
    }

    /// Releases the batch's records; deletes every segment that is now fully delivered.
    func acknowledge(_ batch: Batch) {
        var removable: [UInt64] = []
        let ledger = state.withLock { state -> (Int32, [UInt8])? in
            if let index = state.handedOut.firstIndex(where: { $0.sequence == batch.sequence }) {
                state.handedOut[index].done = true
            }
            var reached: (UInt64, Int)?
            while let first = state.handedOut.first, first.done {
                reached = (first.segment, first.end)
                state.handedOut.removeFirst()
            }
            guard let reached, state.ledgerFD >= 0 else { return nil }
            return (state.ledgerFD, Self.ledgerBytes(reached.0, reached.1))
        }
        if let (fd, bytes) = ledger {
            _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        state.withLock { state in
            for span in batch.spans {
                state.segments[span.segment]?.outstanding -= span.records
                if let segment = state.segments[span.segment], segment.passed, segment.outstanding == 0 {
                    removable.append(span.segment)
                }
            }
        }
        for id in removable { removeSegment(id) }
    }

    /// Nothing is left to deliver: every record was read and acknowledged.
    var isEmpty: Bool {
        state.withLock { state in
            state.readID == state.writeID && state.readOffset >= state.writeEnd
                && state.segments.values.allSatisfy { $0.outstanding == 0 }
                && state.segments.count == 1
        }
    }

    /// `finishWriting` was called.
    var writerFinished: Bool { state.withLock { $0.writerFinished } }

    /// Bytes of segment files on disk.
    var usedBytes: Int { state.withLock { $0.totalBytes } }

    /// Closes the files (the segments stay for the next run). Idempotent.
    func closeFiles() {
        let (writer, reader, fds) = state.withLock { state in
            state.closed = true
            defer {
                state.writer = nil
                state.reader = nil
                state.writeFD = -1
                state.readFD = -1
            }
            defer { state.ledgerFD = -1 }
            return (state.writer, state.reader, [state.writeFD, state.readFD, state.ledgerFD])
        }
        writer?.resume()
        reader?.resume()
        for fd in fds where fd >= 0 { Glibc.close(fd) }
    }

    /// Reads what is there from the read position on; nil when nothing is readable now.
    private func readSome(max: Int) -> Batch? {
        var events: [AuditEvent] = []
        var spans: [(segment: UInt64, records: Int)] = []
        while events.count < max {
            let (id, offset, limit, sealed) = state.withLock { state -> (UInt64, Int, Int, Bool) in
                let sealed = state.readID != state.writeID
                return (state.readID, state.readOffset, sealed ? (state.segments[state.readID]?.bytes ?? 0) : state.writeEnd, sealed)
            }
            if offset >= limit {
                guard sealed else { break }
                advancePast(id)
                continue
            }
            guard let fd = readDescriptor(id) else {
                advancePast(id)
                continue
            }
            var chunk = Swift.min(limit - offset, Swift.max(1 << 20, (max - events.count) * 1024))
            var header = [UInt8](repeating: 0, count: SegmentFrame.headerSize)
            if header.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, $0.count, off_t(offset)) }) == SegmentFrame.headerSize,
               header[0] == SegmentFrame.magic.0, header[1] == SegmentFrame.magic.1 {
                let length = Int(header[2]) | Int(header[3]) << 8 | Int(header[4]) << 16 | Int(header[5]) << 24
                if length <= SegmentFrame.maxPayload {
                    chunk = Swift.min(limit - offset, Swift.max(chunk, SegmentFrame.headerSize + length))
                }
            }
            var bytes = [UInt8](repeating: 0, count: chunk)
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, chunk, off_t(offset)) }
            guard count > 0 else {
                if count < 0 { logger.error("cannot read buffer segment: \(FileIO.errorText())", metadata: ["file": "\(Self.path(directory, id))"]) }
                if sealed { truncateSealed(id, at: offset, reason: "unreadable") }
                break
            }
            var position = 0
            var read = 0
            var damagedAt: Int?
            bytes.withUnsafeBytes { raw in
                let view = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                while events.count < max, position < count {
                    switch SegmentFrame.parse(view, at: position) {
                    case .record(let payload):
                        do {
                            events.append(try EventRecordCodec.decode(UnsafeRawBufferPointer(rebasing: view[payload])))
                            read += 1
                        } catch {
                            logger.error("buffer record cannot be decoded; skipped", metadata: [
                                "file": "\(Self.path(directory, id))", "offset": "\(offset + position)", "error": "\(error)"])
                        }
                        position = payload.upperBound
                    case .incomplete:
                        if offset + count >= limit { damagedAt = position }
                        return
                    case .damaged:
                        damagedAt = position
                        return
                    }
                }
            }
            state.withLock { state in
                state.readOffset = offset + position
                state.segments[id]?.outstanding += read
            }
            if read > 0 { spans.append((id, read)) }
            if let damagedAt {
                if sealed {
                    resynchronise(id, from: offset + damagedAt, limit: limit)
                } else {
                    // The segment being written holds only whole records up to its durable end.
                    logger.error("buffer segment being written is damaged; skipping to its end",
                                 metadata: ["file": "\(Self.path(directory, id))", "offset": "\(offset + damagedAt)"])
                    state.withLock { $0.readOffset = limit }
                }
            }
            if position == 0 && damagedAt == nil { break }
        }
        guard !events.isEmpty else { return nil }
        let sequence = state.withLock { state -> UInt64 in
            let sequence = state.nextSequence
            state.nextSequence += 1
            state.handedOut.append((sequence, state.readID, state.readOffset, false))
            return sequence
        }
        return Batch(events: events, spans: spans, sequence: sequence)
    }

    /// `ack`: segment id and offset the reader resumes from (8 + 8 bytes, little endian) and a CRC-32.
    private static func readLedger(_ directory: String) throws -> (UInt64, Int)? {
        guard let bytes = try FileIO.readAll(directory + "/ack", limit: 64), bytes.count == 20 else { return nil }
        var id: UInt64 = 0
        var offset: UInt64 = 0
        for index in 0..<8 {
            id |= UInt64(bytes[index]) << (8 * UInt64(index))
            offset |= UInt64(bytes[8 + index]) << (8 * UInt64(index))
        }
        var crc: UInt32 = 0
        for index in 0..<4 { crc |= UInt32(bytes[16 + index]) << (8 * UInt32(index)) }
        guard CRC32.checksum(bytes[0..<16]) == crc, offset <= UInt64(Int.max) else { return nil }
        return (id, Int(offset))
    }

    private static func ledgerBytes(_ id: UInt64, _ offset: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: id >> (8 * UInt64(index)))) }
        for index in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: UInt64(offset) >> (8 * UInt64(index)))) }
        let crc = CRC32.checksum(bytes)
        for index in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: crc >> (8 * UInt32(index)))) }
        return bytes
    }

    /// Finds the next valid record after damage at `from` in a sealed segment: reports the skipped
    /// bytes, or cuts a torn tail when no valid record follows.
    private func resynchronise(_ id: UInt64, from: Int, limit: Int) {
        let path = Self.path(directory, id)
        guard let fd = readDescriptor(id) else { return }
        var rest = [UInt8](repeating: 0, count: limit - from)
        let count = rest.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(from)) }
        var found: Int?
        if count > 0 {
            rest.withUnsafeBytes { raw in
                let view = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                var candidate = 1
                while candidate + SegmentFrame.headerSize <= count {
                    if view[candidate] == SegmentFrame.magic.0, view[candidate + 1] == SegmentFrame.magic.1,
                       case .record = SegmentFrame.parse(view, at: candidate) {
                        found = candidate
                        return
                    }
                    candidate += 1
                }
            }
        }
        if let found {
            logger.error("damaged record in the disk buffer: skipped (its events are lost to this sink)", metadata: [
                "file": "\(path)", "offset": "\(from)", "bytes": "\(found)"])
            state.withLock { $0.readOffset = from + found }
        } else {
            truncateSealed(id, at: from, reason: "torn tail")
        }
    }

    private func truncateSealed(_ id: UInt64, at offset: Int, reason: String) {
        let path = Self.path(directory, id)
        logger.warning("\(reason) of a buffer segment cut (a write interrupted by a crash, never acknowledged upstream)",
                       metadata: ["file": "\(path)", "offset": "\(offset)"])
        _ = truncate(path, off_t(offset))
        state.withLock { state in
            if let old = state.segments[id]?.bytes, old > offset {
                state.segments[id]?.bytes = offset
                state.totalBytes -= old - offset
            }
            state.readOffset = offset
        }
    }

    private func readDescriptor(_ id: UInt64) -> Int32? {
        let current = state.withLock { $0.readFDID == id ? $0.readFD : -1 }
        if current >= 0 { return current }
        let fd = open(Self.path(directory, id), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            logger.error("cannot open buffer segment: \(FileIO.errorText())", metadata: ["file": "\(Self.path(directory, id))"])
            return nil
        }
        let old = state.withLock { state in
            defer {
                state.readFD = fd
                state.readFDID = id
            }
            return state.readFD
        }
        if old >= 0 { Glibc.close(old) }
        return fd
    }

    /// The reader finished a sealed segment: move to the next one.
    private func advancePast(_ id: UInt64) {
        let (remove, fd) = state.withLock { state -> (Bool, Int32) in
            let next = state.segments.keys.filter { $0 > id }.min() ?? state.writeID
            state.readID = next
            state.readOffset = 0
            var fd: Int32 = -1
            if state.readFDID == id {
                fd = state.readFD
                state.readFD = -1
                state.readFDID = .max
            }
            return (Self.passIfDone(&state, id), fd)
        }
        if fd >= 0 { Glibc.close(fd) }
        if remove { removeSegment(id) }
    }

    /// Marks a segment passed if the reader is beyond it; true when it can be deleted now.
    private static func passIfDone(_ state: inout State, _ id: UInt64) -> Bool {
        guard id != state.writeID, state.readID > id, var segment = state.segments[id] else { return false }
        segment.passed = true
        state.segments[id] = segment
        return segment.outstanding == 0
    }

    private func removeSegment(_ id: UInt64) {
        let (writer, level, removed) = state.withLock { state -> (CheckedContinuation<Void, Never>?, (Int, Int)?, Bool) in
            guard let segment = state.segments.removeValue(forKey: id) else { return (nil, nil, false) }
            state.totalBytes -= segment.bytes
            defer { state.writer = nil }
            return (state.writer, Self.levelChange(&state, maxBytes), true)
        }
        guard removed else { return }
        if unlink(Self.path(directory, id)) != 0 && errno != ENOENT {
            logger.error("cannot delete a delivered buffer segment: \(FileIO.errorText())", metadata: ["file": "\(Self.path(directory, id))"])
        }
        writer?.resume()
        if let level { logFill(level) }
    }

    private static func levelChange(_ state: inout State, _ maxBytes: Int) -> (Int, Int)? {
        let decile = Swift.min(10, state.totalBytes * 10 / maxBytes)
        guard decile != state.loggedDecile else { return nil }
        state.loggedDecile = decile
        return (decile * 10, state.totalBytes)
    }

    private func logFill(_ level: (percent: Int, bytes: Int)) {
        logger.info("disk buffer fill level", metadata: [
            "percent": "\(level.percent)", "bytes": "\(level.bytes)", "max_bytes": "\(maxBytes)", "folder": "\(directory)"])
    }
}

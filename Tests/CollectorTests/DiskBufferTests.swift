@testable import Collector
import CollectorTestKit
import Foundation
import Testing

@Suite("Disk buffer: write-ahead log of a sink")
struct DiskBufferTests {
    /// Events that exercise every field: absent and empty optionals, repeated and interleaved
    /// attribute names, nanoseconds, negative and odd offsets, times before 1970, non-ASCII text.
    static func unusualEvents() -> [AuditEvent] {
        [
            AuditEvent(id: "a", time: EventTime(nanosecondsSinceEpoch: 1_714_057_140_390_123_456, utcOffsetSeconds: 7200),
                       actor: Actor(id: "victor", name: "", proxyUser: nil, clientIP: "10.0.0.1", authMethod: nil, session: "s"),
                       action: Action(type: "EXECUTION_FAILED", outcome: .failure),
                       resource: Resource(type: "workflow", name: "/Team A/Wörkflow \"x\"\n|y"),
                       application: Application(name: "KNIME", component: "", host: "node003"),
                       attributes: Attributes([("paths", "/a"), ("jobId", "j1"), ("paths", "/b"), ("empty", ""), ("paths", "/c")])),
            AuditEvent(id: "b", time: EventTime(nanosecondsSinceEpoch: -86_400_000_000_001, utcOffsetSeconds: -(9 * 3600 + 30 * 60)),
                       action: Action(type: "access", outcome: .unknown)),
            AuditEvent(id: String(repeating: "z", count: 3000), time: EventTime(nanosecondsSinceEpoch: 0, utcOffsetSeconds: 20_700),
                       action: Action(type: "ü😀", outcome: .unavailable),
                       attributes: Attributes((0..<300).map { ("k\($0 % 7)", String(repeating: "v", count: $0)) })),
        ] + (0..<50).map { ReplaySource.sampleEvent($0) }
    }

    @Test func eventsRoundTripExactly() throws {
        for event in Self.unusualEvents() {
            var bytes: [UInt8] = []
            EventRecordCodec.append(event, to: &bytes)
            let decoded = try bytes.withUnsafeBytes { try EventRecordCodec.decode($0) }
            #expect(decoded == event)
            #expect(Array(decoded.attributes.elements) == Array(event.attributes.elements))
            #expect(decoded.time.utcOffsetSeconds == event.time.utcOffsetSeconds)
        }
    }

    @Test func eventsSurviveReopeningInOrder() async throws {
        let folder = PipelineHarness.temporaryDirectory("disk-buffer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let events = Self.unusualEvents()
        let first = try DiskBuffer(directory: folder, maxBytes: 1 << 20, logger: LogRecorder().logger())
        try await first.append(Array(events[0..<10]))
        try await first.append(Array(events[10...]))
        first.closeFiles()
        let second = try DiskBuffer(directory: folder, maxBytes: 1 << 20, logger: LogRecorder().logger())
        second.finishWriting()
        let read = try await readAll(second)
        #expect(read.events == events)
        #expect(second.isEmpty)
        #expect(segments(folder).count == 1, "delivered segments are deleted; the new empty one stays")
        second.closeFiles()
    }

    @Test func aRestartResumesAfterTheAcknowledgedPrefix() async throws {
        let folder = PipelineHarness.temporaryDirectory("disk-buffer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let events = (0..<100).map { ReplaySource.sampleEvent($0) }
        let first = try DiskBuffer(directory: folder, maxBytes: 1 << 20, logger: LogRecorder().logger())
        try await first.append(events)
        // Three batches handed out; the second and third acknowledged, the first not: nothing is past it.
        let batches = [await first.next(max: 10), await first.next(max: 10), await first.next(max: 10)].compactMap { $0 }
        #expect(batches.count == 3)
        first.acknowledge(batches[1])
        first.acknowledge(batches[2])
        first.closeFiles()
        let second = try DiskBuffer(directory: folder, maxBytes: 1 << 20, logger: LogRecorder().logger())
        var batch = try #require(await second.next(max: 10))
        #expect(batch.events == Array(events[0..<10]))
        second.acknowledge(batch)
        batch = try #require(await second.next(max: 15))
        second.acknowledge(batch)
        second.closeFiles()
        // Now 25 are acknowledged in order: the next run starts at event 25.
        let third = try DiskBuffer(directory: folder, maxBytes: 1 << 20, logger: LogRecorder().logger())
        third.finishWriting()
        let rest = try await readAll(third)
        #expect(rest.events == Array(events[25...]))
        third.closeFiles()
    }

    @Test func aTornTailIsCutAndReported() async throws {
        let folder = PipelineHarness.temporaryDirectory("disk-buffer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let events = (0..<20).map { ReplaySource.sampleEvent($0) }
        let first = try DiskBuffer(directory: folder, maxBytes: 1 << 20, logger: LogRecorder().logger())
        try await first.append(Array(events[0..<19]))
        try await first.append([events[19]])
        first.closeFiles()
        // A crash in the middle of the last write: the last record is cut short.
        let segment = folder + "/" + segments(folder)[0]
        let size = try FileManager.default.attributesOfItem(atPath: segment)[.size] as! Int
        #expect(truncate(segment, off_t(size - 7)) == 0)
        let logs = LogRecorder()
        let second = try DiskBuffer(directory: folder, maxBytes: 1 << 20, logger: logs.logger())
        second.finishWriting()
        let read = try await readAll(second)
        #expect(read.events == Array(events[0..<19]))
        let cut = logs.all.filter { $0.level == .warning && $0.message.contains("torn tail") }
        #expect(cut.count == 1)
        #expect(cut.first?.metadata["file"] == segment)
        #expect(cut.first.flatMap { Int($0.metadata["offset"] ?? "") }.map { $0 > 0 && $0 < size - 7 } == true)
        second.closeFiles()
    }

    @Test func aDamagedRecordInTheMiddleIsReportedWithItsPlaceAndSkipped() async throws {
        let folder = PipelineHarness.temporaryDirectory("disk-buffer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let events = (0..<30).map { ReplaySource.sampleEvent($0) }
        let first = try DiskBuffer(directory: folder, maxBytes: 1 << 20, logger: LogRecorder().logger())
        for event in events { try await first.append([event]) }
        first.closeFiles()
        // Flip one byte inside the payload of record 12.
        let segment = folder + "/" + segments(folder)[0]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        var offsets: [Int] = []
        var offset = 0
        while offset < bytes.count {
            offsets.append(offset)
            let length = Int(bytes[offset + 2]) | Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4]) << 16 | Int(bytes[offset + 5]) << 24
            offset += SegmentFrame.headerSize + length
        }
        #expect(offsets.count == 30)
        bytes[offsets[12] + SegmentFrame.headerSize + 20] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        let logs = LogRecorder()
        let second = try DiskBuffer(directory: folder, maxBytes: 1 << 20, logger: logs.logger())
        second.finishWriting()
        let read = try await readAll(second)
        #expect(read.events == events.enumerated().filter { $0.offset != 12 }.map(\.element))
        let reports = logs.all.filter { $0.level == .error && $0.message.contains("damaged record") }
        #expect(reports.count == 1)
        #expect(reports.first?.metadata["file"] == segment)
        #expect(reports.first?.metadata["offset"] == String(offsets[12]))
        #expect(reports.first?.metadata["bytes"] == String(offsets[13] - offsets[12]))
        second.closeFiles()
    }

    @Test func aFullBufferBlocksTheWriterUntilSegmentsAreDelivered() async throws {
        let folder = PipelineHarness.temporaryDirectory("disk-buffer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let logs = LogRecorder()
        let buffer = try DiskBuffer(directory: folder, maxBytes: 256 << 10, logger: logs.logger())
        let total = 4000
        let writer = Task {
            for start in stride(from: 0, to: total, by: 50) {
                try await buffer.append((start..<(start + 50)).map { ReplaySource.sampleEvent($0) })
            }
            buffer.finishWriting()
        }
        // Nothing reads: the writer must stop with the buffer at (about) its limit.
        var stalled = 0
        var last = -1
        while stalled < 20 {
            try await Task.sleep(for: .milliseconds(50))
            let used = buffer.usedBytes
            stalled = used == last ? stalled + 1 : 0
            last = used
        }
        #expect(buffer.usedBytes <= 256 << 10)
        #expect(buffer.usedBytes > 128 << 10)
        #expect(!buffer.writerFinished)
        let levels = logs.all.filter { $0.message == "disk buffer fill level" }.compactMap { Int($0.metadata["percent"] ?? "") }
        #expect(levels.starts(with: [10, 20, 30, 40, 50]))
        let read = try await readAll(buffer)
        try await writer.value
        #expect(read.events.map(\.id) == (0..<total).map { ReplaySource.sampleEvent($0).id })
        #expect(buffer.isEmpty)
        buffer.closeFiles()
    }

    func readAll(_ buffer: DiskBuffer) async throws -> (events: [AuditEvent], batches: Int) {
        var events: [AuditEvent] = []
        var batches = 0
        while let batch = await buffer.next(max: 100) {
            events += batch.events
            batches += 1
            buffer.acknowledge(batch)
        }
        return (events, batches)
    }

    func segments(_ folder: String) -> [String] {
        (FileIO.list(folder) ?? []).filter { $0.hasSuffix(".seg") }.sorted()
    }
}

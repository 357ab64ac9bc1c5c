import Collector
import CollectorTestKit
import Foundation
import Logging
import Sinks_File
import Testing

@Suite("File sink")
struct FileSinkTests {
    let events = (0..<20).map { ReplaySource.sampleEvent($0) }

    func sink(_ path: String, format: EventFormat = .json, rotation: FileSinkConfiguration.Rotation = .init()) -> FileSink {
        FileSink(configuration: FileSinkConfiguration(path: path, format: format, rotation: rotation), logger: Logger(label: "test"))
    }

    @Test func createsFilesOwnerAndGroupOnly() async throws {
        let folder = PipelineHarness.temporaryDirectory() + "/nested/audit"
        let sink = sink(folder + "/audit.log")
        try await sink.start()
        _ = try await sink.write(events)
        await sink.shutdown()
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/audit.log")
        #expect((attributes[.posixPermissions] as? Int ?? 0) & 0o037 == 0, "no write for group, nothing for others")
        #expect((attributes[.posixPermissions] as? Int ?? 0) & 0o600 == 0o600)
        let folderAttributes = try FileManager.default.attributesOfItem(atPath: folder)
        #expect((folderAttributes[.posixPermissions] as? Int ?? 0) & 0o027 == 0)
        #expect(readLines(folder + "/audit.log").count == 20)
    }

    @Test func aPartialRecordLeftByACrashIsCutAtStart() async throws {
        let path = PipelineHarness.temporaryDirectory() + "/audit.log"
        let first = EventJSONEncoder().encode(events[0])
        try (first + "\n" + String(EventJSONEncoder().encode(events[1]).prefix(40))).write(toFile: path, atomically: true, encoding: .utf8)
        let sink = sink(path)
        try await sink.start()
        _ = try await sink.write([events[1], events[2]])
        await sink.shutdown()
        let lines = readLines(path)
        #expect(lines.count == 3)
        #expect(lines.compactMap(jsonID) == [events[0].id, events[1].id, events[2].id])
    }

    @Test func rollsOverBySizeAndKeepsOnlyKeepFiles() async throws {
        let folder = PipelineHarness.temporaryDirectory()
        let path = folder + "/audit.log"
        let lineLength = EventJSONEncoder().encode(events[0]).utf8.count + 1
        let sink = sink(path, rotation: .init(daily: false, maxBytes: lineLength * 3, keep: 2))
        try await sink.start()
        for event in events { _ = try await sink.write([event]) }
        await sink.shutdown()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["audit.log", "audit.log.1", "audit.log.2"])
        for name in names {
            let lines = readLines(folder + "/" + name)
            #expect(lines.count <= 3)
            #expect(lines.allSatisfy { jsonID($0) != nil })
        }
        // The newest 20 % of events survive, in order across files (oldest file last).
        let kept = (readLines(path + ".2") + readLines(path + ".1") + readLines(path)).compactMap(jsonID)
        #expect(kept == events.suffix(kept.count).map(\.id))
    }

    @Test func knoxFormatThroughThePipeline() async throws {
        let dataDir = PipelineHarness.temporaryDirectory()
        let harness = PipelineHarness(registry: testRegistry())
        _ = try await harness.runUntilIdle("""
        { "data_dir": "\(dataDir)", "sources": { "in": { "type": "replay", "count": 5 } },
          "sinks": { "f": { "type": "file", "inputs": ["in"], "path": "\(dataDir)/audit.log", "format": "knox", "timezone": "UTC" } } }
        """)
        let lines = readLines(dataDir + "/audit.log")
        #expect(lines.count == 5)
        #expect(lines[0] == "24/04/25 14:59:00 ||\(events[0].id)|KNIME Server|KNIME|victor|||EXECUTION_FAILED|workflow|/TeamA/Workflow 0|failure|jobId=job-0;jobName=Workflow 0 run 0")
    }
}

@Suite("File sink daily rollover")
struct FileSinkDailyTests {
    @Test func rollsOverAtMidnightAndNamesTheFileAfterItsDay() async throws {
        let folder = PipelineHarness.temporaryDirectory()
        let path = folder + "/audit.log"
        let clock = Clock(Int(time(nil)))
        let sink = FileSink(configuration: FileSinkConfiguration(path: path, rotation: .init(daily: true, maxBytes: 0, keep: 2)),
                            logger: Logger(label: "test"), now: { clock.value })
        let events = (0..<6).map { ReplaySource.sampleEvent($0) }
        let firstDay = FileSink.localDay(clock.value)
        try await sink.start()
        _ = try await sink.write([events[0], events[1]])
        clock.value += 86_400
        let secondDay = FileSink.localDay(clock.value)
        _ = try await sink.write([events[2]])
        _ = try await sink.write([events[3]])
        clock.value += 86_400
        _ = try await sink.write([events[4]])
        clock.value += 86_400
        _ = try await sink.write([events[5]])
        await sink.shutdown()
        #expect(readLines(path).compactMap(jsonID) == [events[5].id])
        #expect(readLines(path + "." + secondDay).compactMap(jsonID) == [events[2].id, events[3].id])
        // keep 2: the first day's file was deleted when the third one was rolled.
        #expect(!FileManager.default.fileExists(atPath: path + "." + firstDay))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names.count == 3, "\(names)")
    }

    final class Clock: @unchecked Sendable {
        var value: Int
        init(_ value: Int) { self.value = value }
    }
}

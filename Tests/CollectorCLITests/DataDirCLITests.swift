import Collector
import CollectorTestKit
import Foundation
import Testing

/// Real `collector run` processes: one per data_dir, and a disk buffer surviving SIGKILL.
@Suite("collector run: data_dir lock and disk buffers across SIGKILL", .serialized)
struct DataDirCLITests {
    func start(_ arguments: [String], stderr: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        FileManager.default.createFile(atPath: stderr, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderr)
        try process.run()
        return process
    }

    func waitFor(_ what: String, timeout: Duration = .seconds(120), _ condition: () -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("timed out waiting for: \(what)")
        throw CancellationError()
    }

    func events(_ count: Int) -> String {
        (0..<count).map { EventJSONEncoder().encode(ReplaySource.sampleEvent($0)) + "\n" }.joined()
    }

    @Test func aSecondInstanceOnTheSameDataDirExitsAtOnceNamingTheLockAndTheHolder() async throws {
        let folder = PipelineHarness.temporaryDirectory("cli-lock")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)
        let pipeline = folder + "/p.json"
        // A tailing source: the first instance keeps running.
        try """
        { "name": "lock", "data_dir": "\(folder)/data",
          "sources": { "in": { "type": "knime_log", "logs_dir": "\(folder)/logs", "timezone": "UTC", "host": "test" } },
          "sinks": { "out": { "type": "file", "inputs": ["in"], "path": "\(folder)/out.jsonl" } } }
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let first = try start(["run", pipeline], stderr: folder + "/first.err")
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
        try await waitFor("the first instance holds the lock") {
            (try? String(contentsOfFile: folder + "/data/lock", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                == String(first.processIdentifier)
        }
        let second = try CLITests.collector(["run", pipeline])
        #expect(second.status != 0)
        #expect(second.standardError.contains(folder + "/data/lock"))
        #expect(second.standardError.contains("pid \(first.processIdentifier)"))
        #expect(first.isRunning)
        kill(first.processIdentifier, SIGTERM)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
    }

    @Test func eventsInADiskBufferAreDeliveredAfterSIGKILLAndRestart() async throws {
        let count = 3000
        let folder = PipelineHarness.temporaryDirectory("cli-kill")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try events(count).write(toFile: folder + "/in.jsonl", atomically: true, encoding: .utf8)
        // The sink cannot open its file while a plain file stands where its folder belongs.
        try "not a folder".write(toFile: folder + "/out", atomically: true, encoding: .utf8)
        let pipeline = folder + "/p.json"
        try """
        { "name": "kill", "data_dir": "\(folder)/data", "checkpoint_interval_ms": 20,
          "sources": { "in": { "type": "jsonl", "paths": ["\(folder)/in.jsonl"] } },
          "sinks": { "out": { "type": "file", "inputs": ["in"], "path": "\(folder)/out/audit.jsonl",
                              "buffer": { "type": "disk" }, "retry": { "initial_ms": 10, "max_ms": 100 } } } }
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let first = try start(["run", pipeline], stderr: folder + "/first.err")
        let checkpoints = folder + "/data/checkpoints"
        let bufferFolder = folder + "/data/buffers/out"
        func bufferBytes() -> Int {
            (FileIO.list(bufferFolder) ?? []).filter { $0.hasSuffix(".seg") }.reduce(0) { total, name in
                total + ((try? FileManager.default.attributesOfItem(atPath: bufferFolder + "/" + name)[.size] as? Int) ?? 0)
            }
        }
        // Every event is acknowledged once it is in the buffer: the checkpoint moves although the sink is down.
        try await waitFor("a checkpoint and every event in the buffer") {
            !(FileIO.list(checkpoints) ?? []).isEmpty && bufferBytes() > count * 150
        }
        try await Task.sleep(for: .milliseconds(200))
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: folder + "/out/audit.jsonl"))
        let acknowledged = try #require(try CheckpointStore(dataDirectory: folder + "/data").load(source: "in"))
        #expect(!acknowledged.checkpoint.bytes.isEmpty)

        try FileManager.default.removeItem(atPath: folder + "/out")
        let second = try start(["run", "--exit-when-idle", pipeline], stderr: folder + "/second.err")
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        let ids = readLines(folder + "/out/audit.jsonl").compactMap(jsonID)
        #expect(Set(ids) == Set((0..<count).map { ReplaySource.sampleEvent($0).id }))
        #expect(bufferBytes() == 0, "delivered segments are deleted")
    }
}

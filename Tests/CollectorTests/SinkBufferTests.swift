@testable import Collector
import CollectorTestKit
import Foundation
import Testing

@Suite("Sink buffers: a down sink delays nothing else; events wait on disk across restarts")
struct SinkBufferTests {
    /// Waits (polling, generous limit) for a condition; records an issue naming `what` if it never holds.
    func waitFor(_ what: String, timeout: Duration = .seconds(120), _ condition: () throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for: \(what)")
        throw CancellationError()
    }

    @Test func aDownSinkWithADiskBufferDelaysNeitherTheSourceNorTheOtherSink() async throws {
        let count = 2000
        let dataDir = PipelineHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let file = dataDir + "/out/audit.jsonl"
        let recorder = EventRecorder()
        recorder.isAvailable = false
        let harness = PipelineHarness(registry: testRegistry(recorder: recorder))
        let pipeline = try harness.pipeline("""
        { "name": "outage", "data_dir": "\(dataDir)", "queue_capacity": 64, "checkpoint_interval_ms": 20,
          "sources": { "in": { "type": "replay", "count": \(count), "batch_size": 50 } },
          "sinks": {
            "down": { "type": "recording", "inputs": ["in"], "batch_size": 100, "buffer": { "type": "disk" },
                      "retry": { "initial_ms": 5, "max_ms": 50 } },
            "file": { "type": "file", "inputs": ["in"], "path": "\(file)" } } }
        """)
        let run = Task { try await pipeline.run() }
        // While "down" is down, every event reaches the file and is acknowledged to the source.
        try await waitFor("all events in the file and acknowledged") {
            readLines(file).count == count && pipeline.acknowledgedCount(source: "in") == UInt64(count)
        }
        #expect(recorder.events.isEmpty)
        try await waitFor("the checkpoint at the end") {
            ReplaySource.position(of: try CheckpointStore(dataDirectory: dataDir).load(source: "in")?.checkpoint) == count
        }
        recorder.isAvailable = true
        try await waitFor("the down sink delivers everything from its buffer") { Set(recorder.ids).count == count }
        #expect(Set(recorder.ids) == Set((0..<count).map { ReplaySource.sampleEvent($0).id }))
        pipeline.stop()
        try await run.value
    }

    @Test func eventsInADiskBufferAreDeliveredAfterARestart() async throws {
        let count = 1000
        let dataDir = PipelineHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let text = """
        { "name": "restart", "data_dir": "\(dataDir)", "checkpoint_interval_ms": 20,
          "sources": { "in": { "type": "replay", "count": \(count), "batch_size": 50 } },
          "sinks": { "down": { "type": "recording", "inputs": ["in"], "batch_size": 64, "buffer": { "type": "disk" },
                               "retry": { "initial_ms": 5, "max_ms": 50 } } } }
        """
        let down = EventRecorder()
        down.isAvailable = false
        let first = try PipelineHarness(registry: testRegistry(recorder: down)).pipeline(text)
        let run = Task { try await first.run() }
        try await waitFor("every event in the disk buffer and committed") {
            ReplaySource.position(of: try CheckpointStore(dataDirectory: dataDir).load(source: "in")?.checkpoint) == count
        }
        // A graceful stop does not wait for a down sink: its events stay in the buffer.
        first.stop()
        try await run.value
        #expect(down.events.isEmpty)
        let segmentBytes = (FileIO.list(dataDir + "/buffers/down") ?? []).reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: dataDir + "/buffers/down/" + name)[.size] as? Int) ?? 0)
        }
        #expect(segmentBytes > count * 100)

        // The source has nothing left to read: everything must come from the buffer.
        let up = EventRecorder()
        let second = try await PipelineHarness(registry: testRegistry(recorder: up)).runUntilIdle(text)
        #expect(second.acknowledgedCount(source: "in") == 0)
        #expect(up.ids == (0..<count).map { ReplaySource.sampleEvent($0).id })
        #expect((FileIO.list(dataDir + "/buffers/down") ?? []).filter { $0.hasSuffix(".seg") }.count <= 1)
    }

    @Test func severalBatchesAreInFlightAndEveryEventIsAcknowledged() async throws {
        let count = 400
        let dataDir = PipelineHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let recorder = EventRecorder()
        let pipeline = try await PipelineHarness(registry: testRegistry(recorder: recorder)).runUntilIdle("""
        { "name": "inflight", "data_dir": "\(dataDir)", "checkpoint_interval_ms": 20,
          "sources": { "in": { "type": "replay", "count": \(count), "batch_size": 10 } },
          "sinks": { "slow": { "type": "recording", "inputs": ["in"], "batch_size": 10, "in_flight": 4, "delay_ms": 20 } } }
        """)
        #expect(pipeline.acknowledgedCount(source: "in") == UInt64(count))
        #expect(Set(recorder.ids).count == count)
        #expect(recorder.mostConcurrentWrites > 1)
        #expect(recorder.mostConcurrentWrites <= 4)
        let committed = ReplaySource.position(of: try CheckpointStore(dataDirectory: dataDir).load(source: "in")?.checkpoint)
        #expect(committed == count)
    }

    @Test func bufferKeysAreCheckedAndDefaultPerSinkType() throws {
        let harness = PipelineHarness(registry: testRegistry())
        let definition = try harness.load("""
        { "data_dir": "/tmp/x", "sources": { "in": { "type": "replay" } },
          "sinks": { "a": { "type": "recording", "inputs": ["in"] },
                     "b": { "type": "recording", "inputs": ["in"], "buffer": { "type": "disk", "max_bytes": 2097152, "path": "/var/b" } } } }
        """)
        let sinks = definition.components(.sink)
        #expect(sinks[0].common.buffer.kind == .memory)
        #expect(sinks[0].common.inFlight == 1)
        #expect(sinks[1].common.buffer == SinkBufferSettings(kind: .disk, maxBytes: 2_097_152, path: "/var/b"))
        #expect(throws: PipelineConfigurationError.self) {
            try harness.load("""
            { "data_dir": "/tmp/x", "sources": { "in": { "type": "replay" } },
              "sinks": { "a": { "type": "recording", "inputs": ["in"], "buffer": { "type": "memory", "path": "/x" } } } }
            """)
        }
        do {
            _ = try harness.load("""
            { "data_dir": "/tmp/x", "sources": { "in": { "type": "replay" } },
              "sinks": { "a": { "type": "recording", "inputs": ["in"], "buffer": { "type": "disc", "path": "rel" } } } }
            """)
            Issue.record("accepted a wrong buffer")
        } catch {
            let text = "\(error)"
            #expect(text.contains("sinks.a.buffer.type"))
            #expect(text.contains("did you mean \"disk\""))
            #expect(text.contains("sinks.a.buffer.path: must be an absolute path"))
        }
    }

    @Test func aSecondPipelineOnTheSameDataDirIsRefused() async throws {
        let dataDir = PipelineHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let text = """
        { "name": "locked", "data_dir": "\(dataDir)",
          "sources": { "in": { "type": "replay", "count": 10, "keep_running": true } },
          "sinks": { "r": { "type": "recording", "inputs": ["in"] } } }
        """
        let harness = PipelineHarness(registry: testRegistry())
        let first = try harness.pipeline(text)
        let run = Task { try await first.run() }
        try await waitFor("the lock file holds our pid") {
            (try? String(contentsOfFile: dataDir + "/lock", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                == String(getpid())
        }
        do {
            try await harness.pipeline(text).run()
            Issue.record("a second pipeline ran on the same data_dir")
        } catch {
            #expect("\(error)".contains(dataDir + "/lock"))
            #expect("\(error)".contains("pid \(getpid())"))
        }
        first.stop()
        try await run.value
        // Released: a new run may take it.
        _ = try await harness.runUntilIdle(text.replacingOccurrences(of: "\"keep_running\": true", with: "\"keep_running\": false"))
    }
}

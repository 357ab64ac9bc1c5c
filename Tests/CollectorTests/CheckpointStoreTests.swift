import Collector
import CollectorTestKit
import Foundation
import Testing

@Suite("Checkpoint store")
struct CheckpointStoreTests {
    @Test func keepsThePreviousGenerationAndSurvivesATornSlot() throws {
        let dataDir = PipelineHarness.temporaryDirectory()
        let store = CheckpointStore(dataDirectory: dataDir)
        #expect(try store.load(source: "s") == nil)
        try store.save(source: "s", checkpoint: Checkpoint("one"), generation: 1)
        try store.save(source: "s", checkpoint: Checkpoint("two"), generation: 2)
        #expect(try store.load(source: "s")?.checkpoint == Checkpoint("two"))

        // Tear the newest slot (generation 2 lives in slot 0): the previous generation is used.
        let newest = store.directory + "/s.0"
        var bytes = try #require(FileManager.default.contents(atPath: newest))
        bytes.removeLast(3)
        try bytes.write(to: URL(fileURLWithPath: newest))
        let loaded = try #require(try store.load(source: "s"))
        #expect(loaded.checkpoint == Checkpoint("one"))
        #expect(loaded.generation == 1)
        #expect(loaded.damaged == [newest])

        // Flip one byte of the payload of the other one too: now nothing is trustworthy, and it says so.
        let older = store.directory + "/s.1"
        var olderBytes = try #require(FileManager.default.contents(atPath: older))
        olderBytes[olderBytes.count - 6] ^= 0xFF
        try olderBytes.write(to: URL(fileURLWithPath: older))
        #expect(throws: CollectorError.self) { try store.load(source: "s") }
    }

    @Test func aPipelineResumesFromThePreviousGenerationWhenTheNewestIsDamaged() async throws {
        let dataDir = PipelineHarness.temporaryDirectory()
        let store = CheckpointStore(dataDirectory: dataDir)
        try store.save(source: "in", checkpoint: Checkpoint("5"), generation: 1)
        try store.save(source: "in", checkpoint: Checkpoint("8"), generation: 2)
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: store.directory + "/s.0"))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: store.directory + "/in.0"))
        let recorder = EventRecorder()
        let harness = PipelineHarness(registry: testRegistry(recorder: recorder))
        _ = try await harness.runUntilIdle("""
        { "data_dir": "\(dataDir)", "sources": { "in": { "type": "replay", "count": 10 } },
          "sinks": { "out": { "type": "recording", "inputs": ["in"] } } }
        """)
        #expect(recorder.ids == (5..<10).map { ReplaySource.sampleEvent($0).id })
        #expect(try store.load(source: "in")?.checkpoint == Checkpoint("10"))
    }
}

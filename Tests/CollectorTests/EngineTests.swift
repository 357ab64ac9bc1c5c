import Collector
import CollectorTestKit
import Foundation
import Testing

@Suite("Engine: acknowledgements, retries, dead letters")
struct EngineTests {
    func pipelineText(dataDir: String, count: Int, sink: String, enrichers: String = "", sinkInput: String = "in",
                      extraSinks: String = "") -> String {
        """
        { "name": "t", "data_dir": "\(dataDir)", "checkpoint_interval_ms": 10, "queue_capacity": 64,
          "sources": { "in": { "type": "replay", "count": \(count), "batch_size": 16 } },
          "enrichers": { \(enrichers) },
          "sinks": { "out": { \(sink), "inputs": ["\(sinkInput)"], "batch_size": 32, "retry": { "initial_ms": 1, "max_ms": 5 } } \(extraSinks) } }
        """
    }

    func committedPosition(_ dataDir: String) throws -> Int {
        ReplaySource.position(of: try CheckpointStore(dataDirectory: dataDir).load(source: "in")?.checkpoint)
    }

    @Test func transientFailuresLoseNothing() async throws {
        let recorder = EventRecorder()
        let dataDir = PipelineHarness.temporaryDirectory()
        let harness = PipelineHarness(registry: testRegistry(recorder: recorder))
        let pipeline = try await harness.runUntilIdle(pipelineText(dataDir: dataDir, count: 500, sink: #""type": "recording", "failures": 5"#))
        #expect(recorder.writeCalls > 5)
        #expect(Set(recorder.ids) == Set((0..<500).map { ReplaySource.sampleEvent($0).id }))
        #expect(recorder.ids.count == 500)
        #expect(pipeline.acknowledgedCount(source: "in") == 500)
        #expect(try committedPosition(dataDir) == 500)
        #expect(!FileManager.default.fileExists(atPath: dataDir + "/dead-letter.jsonl"))
    }

    @Test func permanentRejectionsGoToTheDeadLetterFile() async throws {
        let recorder = EventRecorder()
        let dataDir = PipelineHarness.temporaryDirectory()
        let harness = PipelineHarness(registry: testRegistry(recorder: recorder))
        _ = try await harness.runUntilIdle(pipelineText(dataDir: dataDir, count: 40, sink: #""type": "recording", "reject_all": true"#))
        let lines = readLines(dataDir + "/dead-letter.jsonl")
        #expect(lines.count == 40)
        for line in lines {
            let object = try JSONParser.parse(line)
            #expect(object["sink"]?.stringValue == "out")
            #expect(object["reason"]?.stringValue == "recording sink: rejected by the test sink")
            #expect(object["event"]?["id"]?.stringValue != nil)
        }
        #expect(Set(lines.compactMap { try? JSONParser.parse($0)["event"]?["id"]?.stringValue }).count == 40)
        #expect(recorder.events.isEmpty)
        #expect(try committedPosition(dataDir) == 40)
    }

    @Test func singleRejectedEventsAreDeadLetteredAndTheRestDelivered() async throws {
        let recorder = EventRecorder()
        let dataDir = PipelineHarness.temporaryDirectory()
        let rejected = Set((0..<100).filter { $0 % 7 == 3 }.map { ReplaySource.sampleEvent($0).id })
        let harness = PipelineHarness(registry: testRegistry(recorder: recorder, rejectWhere: { rejected.contains($0.id) }))
        _ = try await harness.runUntilIdle(pipelineText(dataDir: dataDir, count: 100, sink: #""type": "recording""#))
        let dead = readLines(dataDir + "/dead-letter.jsonl").compactMap { try? JSONParser.parse($0)["event"]?["id"]?.stringValue }
        #expect(Set(dead) == rejected)
        #expect(recorder.ids.count == 100 - rejected.count)
        #expect(Set(recorder.ids).isDisjoint(with: rejected))
        #expect(try committedPosition(dataDir) == 100)
    }

    @Test func fanOutFanInAndDeliberateDrops() async throws {
        let recorder = EventRecorder()
        let dataDir = PipelineHarness.temporaryDirectory()
        var registry = testRegistry(recorder: recorder)
        registry.register(PassThroughEnricherFactory())
        let harness = PipelineHarness(registry: registry)
        // in → a (drops every 10th) → out ; in → b (concurrent, slow) → out ; out takes both (fan-in).
        let text = """
        { "data_dir": "\(dataDir)", "checkpoint_interval_ms": 10,
          "sources": { "in": { "type": "replay", "count": 200, "batch_size": 7 } },
          "enrichers": { "a": { "type": "pass", "inputs": ["in"], "drop_every": 10, "concurrency": 1 },
                         "b": { "type": "pass", "inputs": ["in"], "delay_ms": 1, "concurrency": 16 } },
          "sinks": { "out": { "type": "recording", "inputs": ["a", "b"] } } }
        """
        let pipeline = try await harness.runUntilIdle(text)
        let byEnricher = Dictionary(grouping: recorder.events, by: { $0.attributes["seen_by"] ?? "" })
        #expect(byEnricher["a"]?.count == 180)
        #expect(byEnricher["b"]?.count == 200)
        #expect(pipeline.acknowledgedCount(source: "in") == 200)
        #expect(try committedPosition(dataDir) == 200)
    }

    @Test func aThrowingEnricherAddsEnrichmentErrorAndTheEventGoesOn() async throws {
        let recorder = EventRecorder()
        let dataDir = PipelineHarness.temporaryDirectory()
        var registry = testRegistry(recorder: recorder)
        registry.register(ThrowingEnricherFactory())
        let harness = PipelineHarness(registry: registry)
        _ = try await harness.runUntilIdle(pipelineText(dataDir: dataDir, count: 10, sink: #""type": "recording""#,
                                                        enrichers: #""boom": { "type": "throwing", "inputs": ["in"] }"#,
                                                        sinkInput: "boom"))
        #expect(recorder.events.count == 10)
        #expect(recorder.events.allSatisfy { $0.attributes["enrichment_error"] == "boom: lookup failed" })
    }

    @Test func theCheckpointNeverPassesAnUndeliveredEvent() async throws {
        // The sink fails forever; the pipeline is stopped; nothing may be committed.
        let recorder = EventRecorder()
        let dataDir = PipelineHarness.temporaryDirectory()
        let harness = PipelineHarness(registry: testRegistry(recorder: recorder))
        let text = pipelineText(dataDir: dataDir, count: 50, sink: #""type": "recording", "failures": 1000000"#)
            .replacingOccurrences(of: #""name": "t","#, with: #""name": "t", "shutdown_grace_seconds": 0.2,"#)
        let pipeline = try harness.pipeline(text)
        let run = Task { try await pipeline.run() }
        try await Task.sleep(for: .milliseconds(300))
        pipeline.stop()
        try await run.value
        #expect(recorder.events.isEmpty)
        #expect(pipeline.acknowledgedCount(source: "in") == 0)
        #expect(try CheckpointStore(dataDirectory: dataDir).load(source: "in") == nil)
    }

    @Test func gracefulStopDrainsQueuedEvents() async throws {
        let recorder = EventRecorder()
        let dataDir = PipelineHarness.temporaryDirectory()
        let harness = PipelineHarness(registry: testRegistry(recorder: recorder))
        let text = pipelineText(dataDir: dataDir, count: 100_000, sink: #""type": "recording", "delay_ms": 2"#)
        let pipeline = try harness.pipeline(text)
        let run = Task { try await pipeline.run() }
        // Stop once the sink has taken some events (not after a fixed time: the machine may be slow).
        while recorder.events.count < 100 { try await Task.sleep(for: .milliseconds(5)) }
        pipeline.stop()
        try await run.value
        let committed = try committedPosition(dataDir)
        // Everything emitted before the stop was drained: the recorded events are exactly 0..<committed.
        #expect(committed > 0)
        #expect(committed < 100_000)
        #expect(Set(recorder.ids) == Set((0..<committed).map { ReplaySource.sampleEvent($0).id }))
        #expect(UInt64(committed) == pipeline.acknowledgedCount(source: "in"))
    }
}

struct ThrowingEnricherFactory: EnricherFactory {
    var type: String { "throwing" }
    var summary: String { "test enricher that always throws" }
    func configuration(_ config: ConfigSection) -> Int { 0 }
    func makeEnricher(_ configuration: Int, context: ComponentContext) throws -> any Enricher { ThrowingEnricher() }
}

struct ThrowingEnricher: Enricher {
    func enrich(_ event: AuditEvent) async throws -> AuditEvent? {
        throw CollectorError(.connection, "lookup failed")
    }
}

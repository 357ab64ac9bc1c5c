import Collector
import CollectorTestKit
import Foundation
import Testing
@testable import Sinks_AMQ

/// ReplaySource → amq through the engine, against the real broker. Part of the serialized broker
/// suite (it stops the broker and shares the queue).
extension AMQBrokerTests {
    @Test("with a memory buffer, the checkpoint does not pass events the broker has not accepted")
    func checkpointWaitsForTheBroker() async throws {
        let broker = try AMQTestBroker.require()
        try broker.purge()
        let folder = PipelineHarness.temporaryDirectory("amq-pipeline")
        var registry = ComponentRegistry()
        registry.register(ReplaySourceFactory { AMQTestSupport.event($0, tag: "pipeline") })
        registry.register(AMQSinkFactory())
        let harness = PipelineHarness(registry: registry, environment: AMQTestSupport.environment)
        let text = """
        { "name": "amq-e2e", "data_dir": "\(folder)", "checkpoint_interval_ms": 50,
          "sources": { "replay": { "type": "replay", "count": 200, "batch_size": 20 } },
          "sinks": { "amq": { "type": "amq", "inputs": ["replay"], "batch_size": 20, "buffer": { "type": "memory" },
                              "retry": { "initial_ms": 100, "max_ms": 500 },
                              "urls": ["\(broker.tlsURL)"], "address": "\(broker.address)", "username": "\(broker.user)",
                              "password": "${env:COLLECTOR_TEST_AMQP_PASSWORD}", "tls": { "ca_file": "\(broker.caFile)" },
                              "timeouts": { "open_ms": 2000, "settle_ms": 5000 }, "reconnect": { "initial_ms": 100, "max_ms": 500 } } } }
        """
        let store = CheckpointStore(dataDirectory: folder)
        try broker.control("broker-stop")
        let pipeline: Pipeline
        do {
            pipeline = try harness.pipeline(text, options: RunOptions(exitWhenIdle: true))
        } catch {
            try broker.control("broker-start")
            throw error
        }
        let run = Task { try await pipeline.run() }
        // The broker is down: nothing may be acknowledged, so no checkpoint may move.
        try await Task.sleep(for: .seconds(3))
        #expect(pipeline.acknowledgedCount(source: "replay") == 0)
        #expect(ReplaySource.position(of: try store.load(source: "replay")?.checkpoint) == 0)
        try broker.control("broker-start")
        let finished = Task {
            try await Task.sleep(for: .seconds(90))
            pipeline.stop()
        }
        try await run.value
        finished.cancel()
        #expect(pipeline.acknowledgedCount(source: "replay") == 200)
        #expect(ReplaySource.position(of: try store.load(source: "replay")?.checkpoint) == 200)
        let ids = Set(try broker.drain().map(\.id))
        #expect(ids == Set((0..<200).map { AMQTestSupport.event($0, tag: "pipeline").id }))
        try? FileManager.default.removeItem(atPath: folder)
    }
}

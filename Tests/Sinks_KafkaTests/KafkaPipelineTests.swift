import Collector
import CollectorTestKit
import Foundation
import Sinks_Kafka
import Testing

/// replay → kafka through the engine, against the real broker: the source's checkpoint never
/// passes events the broker has not acknowledged.
extension KafkaBrokerTests {
@Suite(.serialized)
struct KafkaPipelineTests {
    func registry() -> ComponentRegistry {
        var registry = ComponentRegistry()
        registry.register(ReplaySourceFactory())
        registry.register(KafkaSinkFactory())
        return registry
    }

    func pipelineText(count: Int, dataDirectory: String, brokers: String, topic: String) -> String {
        """
        {
          "name": "kafka-test",
          "data_dir": "\(dataDirectory)",
          "sources": { "replay": { "type": "replay", "count": \(count), "batch_size": 50 } },
          "sinks": {
            "kafka": { "type": "kafka", "inputs": ["replay"], "brokers": ["\(brokers)"], "topic": "\(topic)",
                       "batch_size": 50, "retry": { "initial_ms": 100, "max_ms": 1000 },
                       "buffer": { "type": "memory" },
                       "librdkafka": { "message.timeout.ms": 3000 } }
          }
        }
        """
    }

    func committed(_ dataDirectory: String) throws -> Int {
        ReplaySource.position(of: try CheckpointStore(dataDirectory: dataDirectory).load(source: "replay")?.checkpoint)
    }

    @Test func checkpointWaitsForTheBrokerAcrossARestart() async throws {
        let broker = try KafkaTestBroker()
        let topic = try broker.makeTopic("pipeline")
        let dataDirectory = PipelineHarness.temporaryDirectory("kafka-pipeline")
        let harness = PipelineHarness(registry: registry())

        _ = try await harness.runUntilIdle(pipelineText(count: 100, dataDirectory: dataDirectory, brokers: broker.brokers, topic: topic))
        #expect(try committed(dataDirectory) == 100)

        try broker.stop()
        let pipeline = try harness.pipeline(pipelineText(count: 300, dataDirectory: dataDirectory, brokers: broker.brokers, topic: topic),
                                            options: RunOptions(exitWhenIdle: true))
        let run = Task { try await pipeline.run() }
        try await Task.sleep(for: .seconds(4))
        // Broker down: nothing acknowledged, so the checkpoint stays where the first run left it.
        #expect(pipeline.acknowledgedCount(source: "replay") == 0)
        #expect(try committed(dataDirectory) == 100)

        try broker.start()
        try broker.createTopic(topic)  // memory storage: the restart lost it
        let timeout = Task {
            try await Task.sleep(for: .seconds(90))
            pipeline.stop()
        }
        try await run.value
        timeout.cancel()
        #expect(try committed(dataDirectory) == 300)

        let delivered = Set(try broker.consume(topic).compactMap { record in
            record.headers.split(separator: ",").first.map { String($0.dropFirst("event_id=".count)) }
        })
        let expected = (100..<300).map { ReplaySource.sampleEvent($0).id }
        #expect(delivered.isSuperset(of: expected))
    }

    @Test func configurationErrorsNameTheirPlace() throws {
        let harness = PipelineHarness(registry: registry(), environment: [:])
        let text = """
        {
          "name": "bad", "data_dir": "/tmp/x",
          "sources": { "replay": { "type": "replay", "count": 1 } },
          "sinks": { "kafka": { "type": "kafka", "inputs": ["replay"], "brokers": [], "topic": "t", "key": "workflw",
                                "sasl": { "username": "u", "password": "literal" },
                                "librdkafka": { "no.such.property": "1", "acks": "all" } } }
        }
        """
        do {
            _ = try harness.load(text)
            Issue.record("bad configuration loaded")
        } catch {
            let message = "\(error)"
            #expect(message.contains("sinks.kafka.brokers"))
            #expect(message.contains("sinks.kafka.key"))
            #expect(message.contains("sinks.kafka.sasl.password"))
            #expect(message.contains("sinks.kafka.librdkafka.no.such.property"))
            #expect(!message.contains("literal\""))
        }
    }

    @Test func saslWithoutTLSIsRefused() throws {
        let harness = PipelineHarness(registry: registry(), environment: ["KAFKA_PW": "pw"])
        let text = """
        {
          "name": "bad", "data_dir": "/tmp/x",
          "sources": { "replay": { "type": "replay", "count": 1 } },
          "sinks": { "kafka": { "type": "kafka", "inputs": ["replay"], "brokers": ["b:9092"], "topic": "t",
                                "sasl": { "username": "u", "password": "${env:KAFKA_PW}" } } }
        }
        """
        #expect(throws: (any Error).self) { _ = try harness.load(text) }
    }
}
}

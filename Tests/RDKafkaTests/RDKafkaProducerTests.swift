import Foundation
import RDKafka
import Testing

@Suite struct RDKafkaProducerTests {
    @Test func configurationProblemsNameTheProperty() {
        let configuration = RDKafkaConfiguration([("acks", "all"), ("no.such.property", "1"), ("compression.codec", "bogus")])
        let problems = configuration.problems()
        #expect(problems.map(\.name) == ["no.such.property", "compression.codec"])
    }

    @Test func secretValuesDoNotAppearInProblems() {
        let problems = RDKafkaConfiguration([("compression.codec", "s3cr3t-value")]).problems()
        #expect(!problems.isEmpty)
        #expect(problems.allSatisfy { !$0.message.contains("s3cr3t-value") })
    }

    /// librdkafka's in-process mock cluster: every message gets a delivery report with an offset,
    /// in order, through the event queue.
    @Test func deliveryReportsFromMockCluster() async throws {
        let producer = try RDKafkaProducer(RDKafkaConfiguration([("test.mock.num.brokers", "1"), ("acks", "all"),
                                                                  ("enable.idempotence", "true")]))
        let messages = (0..<100).map { RDKafkaMessage(topic: "mock", key: Array("k\($0)".utf8), value: Array("v\($0)".utf8),
                                                       headers: [("h", Array("x".utf8))]) }
        let results = await producer.send(messages)
        let offsets = try results.map { try $0.get().offset }
        #expect(offsets.count == 100)
        await producer.close()
        #expect(await producer.send(messages.prefix(1).map { $0 }).allSatisfy { (try? $0.get()) == nil })
    }

    @Test func tooLargeFailsAtOncePermanently() async throws {
        let producer = try RDKafkaProducer(RDKafkaConfiguration([("test.mock.num.brokers", "1"), ("message.max.bytes", "1000")]))
        let results = await producer.send([RDKafkaMessage(topic: "mock", value: Array(repeating: 1, count: 5000))])
        guard case .failure(let error) = results[0] else { Issue.record("expected a failure"); return }
        #expect(error.name == "MSG_SIZE_TOO_LARGE")
        #expect(!error.isRetriable)
        await producer.close()
    }
}

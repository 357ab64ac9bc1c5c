import Collector
import EventXML
import CollectorTestKit
import Foundation
import Logging
import RDKafka
import Sinks_Kafka
import Testing

/// The sink against the real tansu broker (scripts/services/kafka). Serialized: one test stops and
/// starts the broker.
extension KafkaBrokerTests {
@Suite(.serialized)
struct KafkaSinkTests {
    static let logger = Logger(label: "kafka-test")

    func makeSink(_ broker: KafkaTestBroker, topic: String, key: KafkaRecordKey = .id, format: EventFormat = .json,
                  extra: [(name: String, value: String)] = []) -> KafkaSink {
        KafkaSink(configuration: KafkaSinkConfiguration(brokers: [broker.brokers], topic: topic, key: key, format: format,
                                                        librdkafka: extra),
                  logger: Self.logger, name: "kafka")
    }

    @Test func everyEventIsConsumedBackWithKeyHeadersAndJSON() async throws {
        let broker = try KafkaTestBroker()
        let topic = try broker.makeTopic("roundtrip")
        let sink = makeSink(broker, topic: topic, key: .attribute("jobId"))
        try await sink.start()
        let events = (0..<250).map { ReplaySource.sampleEvent($0, source: topic) }
        var written = 0
        for batch in stride(from: 0, to: events.count, by: 100) {
            let slice = Array(events[batch..<min(batch + 100, events.count)])
            let result = try await sink.write(slice)
            #expect(result.rejected.isEmpty)
            written += slice.count
        }
        await sink.shutdown()

        let records = try broker.consume(topic)
        #expect(records.count == events.count)
        for (event, record) in zip(events, records) {
            #expect(record.key == event.attributes["jobId"])
            #expect(record.value == EventJSONEncoder().encode(event))
            #expect(record.headers == "event_id=\(event.id),action_type=\(event.action.type),schema_version=\(KafkaSink.schemaVersion)")
        }
    }

    @Test func knoxFormatAndActorKey() async throws {
        let broker = try KafkaTestBroker()
        let topic = try broker.makeTopic("knox")
        let layout = KnoxLayout(zone: .utc)
        let sink = makeSink(broker, topic: topic, key: .actor, format: .knox(layout))
        let events = (0..<5).map { ReplaySource.sampleEvent($0, source: topic) }
        _ = try await sink.write(events)
        await sink.shutdown()
        let records = try broker.consume(topic)
        #expect(records.map(\.value) == events.map { layout.encode($0) })
        #expect(records.allSatisfy { $0.key == "victor" })
    }

    @Test func xmlFormatWritesOneAuditEventListPerRecord() async throws {
        let broker = try KafkaTestBroker()
        let topic = try broker.makeTopic("xml")
        var configuration = KafkaSinkConfiguration(brokers: [broker.brokers], topic: topic)
        configuration.xml = AuditEventXML(namespace: "urn:example:audit")
        let sink = KafkaSink(configuration: configuration, logger: Self.logger, name: "kafka")
        var events = (0..<3).map { ReplaySource.sampleEvent($0, source: topic) }
        events[1].attributes.append("note", "a < b & \"c\"")
        _ = try await sink.write(events)
        await sink.shutdown()
        let records = try broker.consume(topic, multiline: true)
        #expect(records.count == 3)
        for (event, record) in zip(events, records) {
            let expected = String(decoding: try AuditEventXML(namespace: "urn:example:audit").document([event]), as: UTF8.self)
            #expect(record.value == expected)
            #expect(record.value.contains("<auditEventList xmlns=\"urn:example:audit\">"))
        }
        #expect(records[1].value.contains("a &lt; b &amp; &quot;c&quot;"))
    }

    @Test func tooLargeMessageIsRejectedNotRetried() async throws {
        let broker = try KafkaTestBroker()
        let topic = try broker.makeTopic("large")
        let sink = makeSink(broker, topic: topic, extra: [("message.max.bytes", "2000")])
        var big = ReplaySource.sampleEvent(1, source: topic)
        big.attributes.append("blob", String(repeating: "x", count: 5000))
        let small = ReplaySource.sampleEvent(2, source: topic)
        let result = try await sink.write([small, big, small])
        await sink.shutdown()
        #expect(result.rejected.map(\.index) == [1])
        #expect(result.rejected.first?.reason.contains("MSG_SIZE_TOO_LARGE") == true)
        #expect(try broker.consume(topic).count == 2)
    }

    @Test func unknownTopicWithAutoCreationOffIsRejected() async throws {
        let broker = try KafkaTestBroker()
        let sink = makeSink(broker, topic: "missing-\(UUID().uuidString.prefix(8).lowercased())",
                            extra: [("allow.auto.create.topics", "false"), ("topic.metadata.propagation.max.ms", "2000")])
        let result = try await sink.write([ReplaySource.sampleEvent(1), ReplaySource.sampleEvent(2)])
        await sink.shutdown()
        #expect(result.rejected.map(\.index) == [0, 1])
        #expect(result.rejected.allSatisfy { $0.reason.contains("UNKNOWN_TOPIC") })
    }

    @Test func unreachableBrokerIsRetriable() async throws {
        let port = try unusedPort()
        let sink = KafkaSink(configuration: KafkaSinkConfiguration(brokers: ["127.0.0.1:\(port)"], topic: "nowhere",
                                                                   librdkafka: [("message.timeout.ms", "1500")]),
                             logger: Self.logger, name: "kafka")
        do {
            _ = try await sink.write([ReplaySource.sampleEvent(1)])
            Issue.record("write to a closed port succeeded")
        } catch let error as CollectorError {
            #expect(error.isRetriable)
            #expect(error.message.contains("MSG_TIMED_OUT"))
        }
        await sink.shutdown()
    }

    @Test func fullLocalQueueBackPressuresInsteadOfFailing() async throws {
        let broker = try KafkaTestBroker()
        let topic = try broker.makeTopic("queue")
        let sink = makeSink(broker, topic: topic, extra: [("queue.buffering.max.messages", "20")])
        let events = (0..<500).map { ReplaySource.sampleEvent($0, source: topic) }
        let result = try await sink.write(events)
        await sink.shutdown()
        #expect(result.rejected.isEmpty)
        #expect(try broker.consume(topic).count == 500)
    }

    /// tansu keeps records in memory, so a restart loses the topic: it is created again right after,
    /// and what must arrive is everything written while the broker was away.
    @Test func brokerRestartMidStreamRetriesPendingEvents() async throws {
        let broker = try KafkaTestBroker()
        let topic = try broker.makeTopic("restart")
        let sink = makeSink(broker, topic: topic, extra: [("message.timeout.ms", "5000")])
        _ = try await sink.write((0..<10).map { ReplaySource.sampleEvent($0, source: topic) })

        try broker.stop()
        let pending = (10..<60).map { ReplaySource.sampleEvent($0, source: topic) }
        let writer = Task { () -> Int in
            var attempts = 0
            while true {  // what the engine does: retry the batch on retriable errors
                attempts += 1
                do {
                    let result = try await sink.write(pending)
                    #expect(result.rejected.isEmpty)
                    return attempts
                } catch let error as CollectorError where error.isRetriable {
                    if attempts > 10 { throw error }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        try await Task.sleep(for: .seconds(2))
        try broker.start()
        try broker.createTopic(topic)
        _ = try await writer.value
        await sink.shutdown()

        let ids = Set(try broker.consume(topic).compactMap { record in
            record.headers.split(separator: ",").first.map { String($0.dropFirst("event_id=".count)) }
        })
        #expect(ids.isSuperset(of: pending.map(\.id)))
    }
}
}

func unusedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &address) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            guard bind(fd, raw, length) == 0, getsockname(fd, raw, &length) == 0 else {
                throw KafkaTestError(message: "cannot find a free port")
            }
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

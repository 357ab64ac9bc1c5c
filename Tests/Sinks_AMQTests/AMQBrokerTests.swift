import Collector
import Foundation
import Testing
@testable import Sinks_AMQ

/// Against the real RabbitMQ broker of `scripts/services/rabbitmq` (AMQP 1.0 plugin), plain and TLS.
/// Serialized: the tests share one durable queue, and one stops the broker.
@Suite("AMQ sink against RabbitMQ", .serialized)
struct AMQBrokerTests {
    @Test("N events become N durable XML messages with message-id = event id", arguments: [false, true])
    func roundTrip(tls: Bool) async throws {
        let broker = try AMQTestBroker.require()
        try broker.purge()
        let sink = try AMQTestSupport.sink(AMQTestSupport.json(broker, tls: tls))
        try await sink.start()
        let events = (0..<60).map { AMQTestSupport.event($0, tag: "round-\(tls)") }
        for chunk in stride(from: 0, to: events.count, by: 25) {
            let result = try await sink.write(Array(events[chunk..<min(chunk + 25, events.count)]))
            #expect(result == .accepted)
        }
        await sink.shutdown()
        let messages = try broker.drain()
        #expect(messages.count == events.count)
        #expect(messages.map(\.id) == events.map(\.id))
        for (message, event) in zip(messages, events) {
            #expect(message.durable)
            #expect(message.contentType == "application/xml")
            #expect(message.error == nil)
            #expect(message.root == "{http://www.clearpeaks.com/AuditEvent}auditEventList")
            let read = try #require(message.events.first)
            #expect(message.events.count == 1)
            #expect(read.tag == "{http://www.clearpeaks.com/AuditEvent}AuditEvent")
            #expect(read.actorId == "victor")
            #expect(read.component == "KNIME Server")
            #expect(read.hostName == "node003.clearpeaks.com")
            #expect(read.application == "KNIME")
            #expect(read.actionType == "EXECUTION_FAILED")
            #expect(read.info("jobId") == [event.attributes["jobId"]!])
            #expect(read.info("eventId") == [event.id])
            #expect(read.timestamp == RFC3339.format(event.time, fractionDigits: 6))
        }
    }

    @Test("values with markup, quotes, control characters and non-ASCII read back as intended")
    func trickyValues() async throws {
        let broker = try AMQTestBroker.require()
        try broker.purge()
        let sink = try AMQTestSupport.sink(AMQTestSupport.json(broker, tls: true))
        var event = AMQTestSupport.event(0, tag: "tricky")
        event.actor = Actor(id: "o'brien&<co>", name: "Zoë \"Z\" 名前 🙂")
        event.attributes = Attributes([("errorMessage", "a < b && c > d\u{1}\u{0}\u{1B}[31m red\u{FFFF}"), ("paths", "/data/ü ß/x.csv")])
        #expect(try await sink.write([event]) == .accepted)
        await sink.shutdown()
        let messages = try broker.drain()
        let read = try #require(messages.first?.events.first)
        #expect(messages.first?.error == nil)
        #expect(read.actorId == "o'brien&<co>")
        #expect(read.actorName == "Zoë \"Z\" 名前 🙂")
        #expect(read.info("errorMessage") == ["a < b && c > d[31m red"])
        #expect(read.info("paths") == ["/data/ü ß/x.csv"])
    }

    @Test("broker stopped mid-stream and restarted: every event arrives, duplicates only with the same id")
    func brokerRestart() async throws {
        let broker = try AMQTestBroker.require()
        try broker.purge()
        let sink = try AMQTestSupport.sink(AMQTestSupport.json(broker, tls: false, openMs: 3000, settleMs: 5000))
        try await sink.start()
        let events = (0..<400).map { AMQTestSupport.event($0, tag: "restart") }
        var acknowledged: [String] = []
        var failures = 0
        let restarter = Task.detached {
            try await Task.sleep(for: .milliseconds(300))
            try broker.control("broker-stop")
            try await Task.sleep(for: .seconds(1))
            try broker.control("broker-start")
        }
        for chunk in stride(from: 0, to: events.count, by: 10) {
            let batch = Array(events[chunk..<min(chunk + 10, events.count)])
            let (result, batchFailures) = try await AMQTestSupport.writeRetrying(sink, batch)
            #expect(result == .accepted)
            failures += batchFailures
            acknowledged += batch.map(\.id)
            try await Task.sleep(for: .milliseconds(50))
        }
        try await restarter.value
        await sink.shutdown()
        #expect(failures > 0, "the broker restart should have failed some writes")
        let messages = try broker.drain()
        let received = Set(messages.map(\.id))
        #expect(received == Set(events.map(\.id)), "missing: \(Set(events.map(\.id)).subtracting(received).count)")
        #expect(Set(acknowledged) == Set(events.map(\.id)))
        // A message that arrived twice is the same event (same id, same body).
        let byID = Dictionary(grouping: messages, by: \.id)
        for (_, copies) in byID where copies.count > 1 {
            #expect(Set(copies.map(\.body)).count == 1)
        }
    }

    @Test("wrong password: clear error, retriable, nothing sent")
    func wrongPassword() async throws {
        let broker = try AMQTestBroker.require()
        try broker.purge()
        var environment = AMQTestSupport.environment
        environment["AMQ_TEST_WRONG"] = "not-the-password"
        let sink = try AMQTestSupport.sink(AMQTestSupport.json(broker, tls: true, passwordVariable: "AMQ_TEST_WRONG"), environment: environment)
        let error = try await #require(throws: CollectorError.self) { try await sink.start() }
        #expect(error.isRetriable)
        #expect(error.description.lowercased().contains("auth"), "\(error)")
        print("amq test: wrong password -> \(error)")
        let writeError = try await #require(throws: CollectorError.self) { try await sink.write([AMQTestSupport.event(0, tag: "pw")]) }
        #expect(writeError.isRetriable)
        #expect(!writeError.description.contains("not-the-password"))
        await sink.shutdown()
        #expect(try broker.drain(idleSeconds: 1).isEmpty)
    }

    @Test("a CA that did not sign the broker's certificate: clear TLS error, retriable")
    func wrongCA() async throws {
        let broker = try AMQTestBroker.require()
        let sink = try AMQTestSupport.sink(AMQTestSupport.json(broker, tls: true, caFile: broker.otherCAFile))
        let error = try await #require(throws: CollectorError.self) { try await sink.start() }
        #expect(error.isRetriable)
        #expect(error.description.lowercased().contains("certificate"), "\(error)")
        print("amq test: wrong CA -> \(error)")
        await sink.shutdown()
    }

    @Test("a queue the broker does not have: an error names the address, nothing is accepted and dropped")
    func missingQueue() async throws {
        let broker = try AMQTestBroker.require()
        let sink = try AMQTestSupport.sink(AMQTestSupport.json(broker, tls: false, address: "/amq/queue/no-such-queue", openMs: 1500))
        let error = try await #require(throws: CollectorError.self) { try await sink.write([AMQTestSupport.event(0, tag: "missing")]) }
        #expect(error.isRetriable)
        #expect(error.description.contains("/amq/queue/no-such-queue"), "\(error)")
        #expect(error.description.contains("no queue 'no-such-queue'"), "\(error)")
        print("amq test: missing queue -> \(error)")
        await sink.shutdown()
    }
}

extension AMQBrokerTests {
    /// RabbitMQ 3.10's AMQP 1.0 plugin answers a refused publish (queue full, reject-publish) by
    /// aborting the connection rather than with a `rejected` outcome: the sink must then report a
    /// retriable failure, never success.
    @Test("a message the broker refuses is never reported as delivered")
    func refusedPublish() async throws {
        let broker = try AMQTestBroker.require()
        guard let full = ProcessInfo.processInfo.environment["COLLECTOR_TEST_AMQP_FULL_ADDRESS"] else {
            Issue.record("COLLECTOR_TEST_AMQP_FULL_ADDRESS is not set: run scripts/test (scripts/services/rabbitmq start)")
            return
        }
        let sink = try AMQTestSupport.sink(AMQTestSupport.json(broker, tls: false, address: full, openMs: 2000, settleMs: 3000))
        try await sink.start()
        let error = try await #require(throws: CollectorError.self) { try await sink.write([AMQTestSupport.event(0, tag: "full")]) }
        #expect(error.isRetriable, "\(error)")
        print("amq test: refused publish -> \(error)")
        await sink.shutdown()
    }
}

extension AMQBrokerTests {
    @Test("failover: a dead first URL is skipped for the next one")
    func failover() async throws {
        let broker = try AMQTestBroker.require()
        try broker.purge()
        let json = """
        {"urls": ["amqp://127.0.0.1:1", "\(broker.url)"], "address": "\(broker.address)", "username": "\(broker.user)",
         "password": "${env:COLLECTOR_TEST_AMQP_PASSWORD}", "allow_insecure_plain": true,
         "timeouts": {"open_ms": 2000, "settle_ms": 5000}}
        """
        let sink = try AMQTestSupport.sink(json)
        try await sink.start()
        let events = (0..<5).map { AMQTestSupport.event($0, tag: "failover") }
        #expect(try await sink.write(events) == .accepted)
        await sink.shutdown()
        #expect(try broker.drain().map(\.id) == events.map(\.id))
    }
}

extension AMQBrokerTests {
    @Test("a CA file that cannot be read: the error names the file")
    func unreadableCAFile() async throws {
        let broker = try AMQTestBroker.require()
        let sink = try AMQTestSupport.sink(AMQTestSupport.json(broker, tls: true, caFile: "/nonexistent/ca.pem"))
        let error = try await #require(throws: CollectorError.self) { try await sink.start() }
        #expect(error.description.contains("/nonexistent/ca.pem"), "\(error)")
        await sink.shutdown()
    }
}

extension AMQBrokerTests {
    @Test("events_per_message groups events; the message id is stable for the same events")
    func severalEventsPerMessage() async throws {
        let broker = try AMQTestBroker.require()
        try broker.purge()
        let sink = try AMQTestSupport.sink(AMQTestSupport.json(broker, tls: false, extra: #", "events_per_message": 3"#))
        let events = (0..<7).map { AMQTestSupport.event($0, tag: "grouped") }
        #expect(try await sink.write(events) == .accepted)
        await sink.shutdown()
        let messages = try broker.drain()
        #expect(messages.map(\.events.count) == [3, 3, 1])
        #expect(messages.flatMap { $0.events.flatMap { $0.info("eventId") } } == events.map(\.id))
        #expect(messages.last?.id == events[6].id)
        #expect(messages.first?.id == AuditEvent.deterministicID(events[0..<3].map(\.id)))
    }
}

@Suite("AMQ sink lifecycle")
struct AMQLifecycleTests {
    @Test("shutdown is idempotent and safe without start; writes after it fail without hanging")
    func shutdownWithoutStart() async throws {
        let json = #"{"urls": ["amqp://127.0.0.1:1"], "address": "q", "sasl_mechanisms": ["ANONYMOUS"]}"#
        let sink = try AMQTestSupport.sink(json, environment: [:])
        await sink.shutdown()
        await sink.shutdown()
        let error = try await #require(throws: CollectorError.self) { try await sink.write([AMQTestSupport.event(0, tag: "closed")]) }
        #expect(error.code == .shutdown)
    }
}

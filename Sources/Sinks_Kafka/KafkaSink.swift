import Collector
import Logging
import RDKafka
import Synchronization

/// Produces each event as one Kafka record and acknowledges a batch only once every record's
/// delivery report is in (with the defaults: `acks=all`, idempotent producer).
///
/// Record value: the event in the configured format (JSON by default, no line break). Key: see
/// `KafkaRecordKey`. Headers: `event_id`, `action_type`, `schema_version`.
///
/// Failed deliveries: a permanent one (too large, invalid, unknown topic) rejects that event
/// (dead letter); if any is retriable, `write` throws a retriable error and the engine writes the
/// whole batch again (records already delivered are then duplicated, with the same `event_id`).
/// A full local queue waits instead of failing. After a fatal error or a retriable failure the
/// producer is replaced, so the retry starts with a fresh idempotence state.
public final class KafkaSink: Sink {
    /// Version of the record layout (value format + headers), sent as the `schema_version` header.
    public static let schemaVersion = "1"

    private let configuration: KafkaSinkConfiguration
    private let logger: Logger
    private let name: String
    private let producer = Mutex<RDKafkaProducer?>(nil)
    private let isShutDown = Atomic<Bool>(false)

    public init(configuration: KafkaSinkConfiguration, logger: Logger, name: String) {
        self.configuration = configuration
        self.logger = logger
        self.name = name
    }

    public func start() async throws {
        _ = try currentProducer()
    }

    public func write(_ events: [AuditEvent]) async throws -> SinkResult {
        let producer = try currentProducer()
        let messages: [RDKafkaMessage]
        do {
            messages = try events.map(record)
        } catch {
            throw CollectorError(.invalidInput, "cannot encode the batch as XML: \(error)", context: name)
        }
        let results = await producer.send(messages)
        var rejected: [SinkResult.Rejection] = []
        var retriable: RDKafkaError?
        for (index, result) in results.enumerated() {
            guard case .failure(let error) = result else { continue }
            if error.isRetriable || error.isFatal {
                retriable = retriable ?? error
            } else {
                rejected.append(SinkResult.Rejection(index: index, reason: "kafka: \(error)"))
            }
        }
        if let fatal = producer.fatalError {
            logger.error("kafka producer failed for good; making a new one", metadata: ["error": "\(fatal)"])
            await replace(producer)
        } else if retriable != nil {
            // A broker that lost its state (restart, failover) can keep refusing this producer's
            // idempotence sequence (UNKNOWN_PRODUCER_ID) for as long as the producer lives: start the
            // retry with a new producer id.
            await replace(producer)
        }
        if let retriable {
            throw CollectorError.retriable(.connection, "kafka delivery failed: \(retriable)", context: name)
        }
        return SinkResult(rejected: rejected)
    }

    /// Waits up to `shutdown_timeout_ms` for queued records, then closes. Idempotent.
    public func shutdown() async {
        isShutDown.store(true, ordering: .releasing)
        let current = producer.withLock { producer in
            defer { producer = nil }
            return producer
        }
        await current?.close(flushTimeoutMilliseconds: Int32(configuration.shutdownTimeoutMilliseconds))
    }

    /// The producer, made on first use (and again after a fatal error).
    private func currentProducer() throws -> RDKafkaProducer {
        if isShutDown.load(ordering: .acquiring) {
            throw CollectorError(.shutdown, "kafka sink is shut down", context: name)
        }
        return try producer.withLock { producer in
            if let producer { return producer }
            let made: RDKafkaProducer
            do {
                let logger = self.logger
                made = try RDKafkaProducer(configuration.librdkafka, onError: { error in
                    if error.isFatal {
                        logger.error("kafka: \(error)")
                    } else {
                        logger.warning("kafka: \(error)")
                    }
                }, onLog: { level, facility, message in
                    // Errors arrive as error events above; the log lines add detail.
                    logger.debug("librdkafka \(facility): \(message)", metadata: ["syslog_level": "\(level)"])
                })
            } catch {
                throw CollectorError(.configuration, "cannot make the kafka producer: \(error)", context: name)
            }
            producer = made
            return made
        }
    }

    private func replace(_ failed: RDKafkaProducer) async {
        let removed = producer.withLock { producer -> Bool in
            guard producer === failed else { return false }
            producer = nil
            return true
        }
        if removed { await failed.close(flushTimeoutMilliseconds: 0) }
    }

    private func record(_ event: AuditEvent) throws -> RDKafkaMessage {
        var value: [UInt8] = []
        if let xml = configuration.xml {
            value = try xml.document(CollectionOfOne(event))
        } else {
            switch configuration.format {
            case .json: EventJSONEncoder().append(event, to: &value)
            case .knox(let layout): layout.append(event, to: &value)
            }
        }
        return RDKafkaMessage(
            topic: configuration.topic,
            key: configuration.key.bytes(for: event),
            value: value,
            headers: [
                ("event_id", Array(event.id.utf8)),
                ("action_type", Array(event.action.type.utf8)),
                ("schema_version", Array(Self.schemaVersion.utf8)),
            ])
    }
}

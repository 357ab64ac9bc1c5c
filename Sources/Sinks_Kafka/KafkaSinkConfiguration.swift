import Collector
import EventXML
import RDKafka

/// The `kafka` sink's settings, read and checked by `KafkaSinkFactory` (no I/O).
public struct KafkaSinkConfiguration: Sendable {
    public var brokers: [String]
    public var topic: String
    public var key: KafkaRecordKey
    public var format: EventFormat
    /// When set, record values are `auditEventList` XML documents (one event each) instead of `format`.
    public var xml: AuditEventXML?
    /// Every librdkafka property, in the order applied: defaults, then security, then the
    /// `librdkafka` map (which may override anything). May hold secrets: never print it.
    public var librdkafka: RDKafkaConfiguration
    /// How long `shutdown()` waits for queued messages before purging them.
    public var shutdownTimeoutMilliseconds: Int

    /// Defaults for an audit producer: every in-sync replica acknowledges, no duplicates from
    /// internal retries, lz4 batches; a record librdkafka could not deliver within 30 s fails the
    /// write as retriable (the engine then retries with backoff) instead of after librdkafka's 5 min.
    public static let defaults: [(name: String, value: String)] = [
        ("acks", "all"),
        ("enable.idempotence", "true"),
        ("compression.codec", "lz4"),
        ("message.timeout.ms", "30000"),
    ]

    public init(brokers: [String], topic: String, key: KafkaRecordKey = .id, format: EventFormat = .json,
                librdkafka extra: [(name: String, value: String)] = [], shutdownTimeoutMilliseconds: Int = 10_000) {
        self.brokers = brokers
        self.topic = topic
        self.key = key
        self.format = format
        self.shutdownTimeoutMilliseconds = shutdownTimeoutMilliseconds
        var properties = Self.defaults
        properties.append(("bootstrap.servers", brokers.joined(separator: ",")))
        properties += extra
        self.librdkafka = RDKafkaConfiguration(properties)
    }
}

import Collector
import EventXML
import RDKafka

/// Makes `kafka` sinks. Reading the configuration checks every librdkafka property against
/// librdkafka itself (no I/O), so a misspelt `librdkafka` key fails `collector validate`.
public struct KafkaSinkFactory: SinkFactory {
    public init() {}
    public var type: String { "kafka" }
    public var summary: String { "produces events to a Kafka topic (JSON, Knox or XML), acks=all + idempotence, returns on delivery reports" }
    /// A disk buffer (a broker outage never stalls the pipeline) and four batches in flight.
    public var defaults: SinkDefaults { .network }

    public func configuration(_ config: ConfigSection) -> KafkaSinkConfiguration {
        let brokers = config.strings("brokers", doc: "bootstrap brokers, host:port")
        if brokers.isEmpty, !config.isDescribing { config.report("brokers", "at least one broker (host:port) is required") }
        let topic = config.requiredString("topic", doc: "the topic records go to")
        let keyText = config.string("key", default: "id", doc: "record key: id | actor | resource | workflow | none | attribute:NAME") ?? "id"
        let key = KafkaRecordKey(keyText)
        if key == nil { config.report("key", "\"\(keyText)\" is not one of \(KafkaRecordKey.accepted)") }
        let (format, formatName) = EventFormat.read(config, alsoAccepted: ["xml"])
        let namespace = config.string("xml_namespace", default: AuditEventXML.defaultNamespace,
                                      doc: "xml: namespace of auditEventList") ?? AuditEventXML.defaultNamespace
        let security = KafkaSecurity.read(config)
        let extra = config.stringMap("librdkafka", doc: "librdkafka properties passed through (override the defaults)")
        let shutdownTimeout = config.int("shutdown_timeout_ms", default: 10_000, range: 0...600_000,
                                         doc: "how long shutdown waits for queued records before dropping them (they are not acknowledged)")
        var configuration = KafkaSinkConfiguration(brokers: brokers, topic: topic, key: key ?? .id, format: format,
                                                   librdkafka: security + extra.map { ($0.key, $0.value) },
                                                   shutdownTimeoutMilliseconds: shutdownTimeout)
        if !config.isDescribing {
            for problem in configuration.librdkafka.problems() {
                let place = extra.contains { $0.key == problem.name } ? "librdkafka.\(problem.name)" : nil
                config.report(place, place == nil ? "\(problem.name): \(problem.message)" : problem.message)
            }
        }
        if formatName == "xml" { configuration.xml = AuditEventXML(namespace: namespace) }
        configuration.librdkafka.set("client.id", "collector")
        return configuration
    }

    public func makeSink(_ configuration: KafkaSinkConfiguration, context: ComponentContext) throws -> any Sink {
        return KafkaSink(configuration: configuration, logger: context.logger, name: context.name)
    }
}

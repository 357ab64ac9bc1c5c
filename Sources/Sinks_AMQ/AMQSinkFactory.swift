import Collector
import EventXML
import Proton

/// Makes `amq` sinks: audit events as XML messages over AMQP 1.0 (ActiveMQ, Artemis, RabbitMQ, …).
///
/// Keys: `urls` (failover list), `address`, `username`, `password` (secret), `sasl_mechanisms`,
/// `allow_insecure_plain`, `tls {ca_file, verify_peer_name, cert_file, key_file, key_password}`,
/// `window`, `timeouts {open_ms, settle_ms}`, `reconnect {initial_ms, max_ms}`, `namespace`,
/// `events_per_message`, `container_id`, `check_address`. Reading does no I/O.
public struct AMQSinkFactory: SinkFactory {
    public init() {}

    public var type: String { "amq" }
    public var summary: String { "sends each event as an XML auditEventList message over AMQP 1.0 (durable, settled)" }
    /// A disk buffer (a broker outage never stalls the pipeline) and four batches in flight.
    public var defaults: SinkDefaults { .network }

    public struct Configuration: Sendable {
        public var sender: ProtonSenderConfiguration
        public var namespace: String
        public var eventsPerMessage: Int
        /// Set when the pipeline file gave one; otherwise made from the pipeline and sink names.
        public var containerID: String?
    }

    public func configuration(_ config: ConfigSection) -> Configuration {
        let urlTexts = config.strings("urls", doc: "broker URLs, amqp://host:port or amqps://host:port, tried in turn (failover)")
        if urlTexts.isEmpty && !config.isDescribing { config.report("urls", "missing required key (at least one amqp:// or amqps:// URL)") }
        var urls: [ProtonURL] = []
        for (index, text) in urlTexts.enumerated() {
            var problem = ""
            if let url = ProtonURL(text, error: &problem) { urls.append(url) } else { config.report("urls[\(index)]", problem) }
        }
        let address = config.requiredString("address", doc: "target queue or topic: ActiveMQ \"queue://NAME\" or \"NAME\", RabbitMQ \"/amq/queue/NAME\"")
        let username = config.string("username", doc: "SASL user (PLAIN); leave out for ANONYMOUS or EXTERNAL")
        let password = config.secret("password", doc: "SASL password, ${env:NAME} or ${file:/path}")
        let mechanisms = config.strings("sasl_mechanisms", doc: "SASL mechanisms to offer: PLAIN, EXTERNAL, ANONYMOUS (default: PLAIN with a username, EXTERNAL with a client certificate, else ANONYMOUS)")
        let allowInsecure = config.bool("allow_insecure_plain", default: false, doc: "allow SASL PLAIN over amqp:// without TLS (sends the password in clear)")
        let tlsSection = config.section("tls", doc: "TLS for amqps:// URLs")
        let tls = ProtonSenderConfiguration.TLS(
            caFile: tlsSection.string("ca_file", doc: "PEM file of the CAs to trust (default: the system's store)"),
            verifyPeerName: tlsSection.bool("verify_peer_name", default: true, doc: "check that the broker's certificate names the host"),
            certFile: tlsSection.string("cert_file", doc: "client certificate (PEM), for EXTERNAL or mutual TLS"),
            keyFile: tlsSection.string("key_file", doc: "client private key (PEM)"),
            keyPassword: tlsSection.secret("key_password", doc: "password of the client key, ${env:NAME} or ${file:/path}")?.value)
        tlsSection.finish()
        let window = config.int("window", default: 256, range: 1...100_000, doc: "most messages sent and not yet settled")
        let timeouts = config.section("timeouts", doc: "time limits")
        let openMs = timeouts.int("open_ms", default: 10_000, range: 100...600_000, doc: "connect, TLS, SASL, open and attach")
        let settleMs = timeouts.int("settle_ms", default: 30_000, range: 100...3_600_000, doc: "broker settlement of a sent message")
        timeouts.finish()
        let reconnect = config.section("reconnect", doc: "backoff between rounds of connection attempts (capped exponential, with jitter)")
        let initialMs = reconnect.int("initial_ms", default: 200, range: 1...600_000, doc: "first wait")
        let maxMs = reconnect.int("max_ms", default: 10_000, range: 1...3_600_000, doc: "longest wait")
        reconnect.finish()
        let namespace = config.string("namespace", default: AuditEventXML.defaultNamespace, doc: "XML namespace of auditEventList") ?? AuditEventXML.defaultNamespace
        let perMessage = config.int("events_per_message", default: 1, range: 1...10_000, doc: "AuditEvent elements per message")
        let containerID = config.string("container_id", doc: "AMQP container id (default: collector-<pipeline>-<sink>)")
        let checkAddress = config.bool("check_address", default: true, doc: "prove the address exists by attaching a receiving link with no credit (RabbitMQ accepts and drops messages to a missing queue); needs read permission")

        var offered = mechanisms.map { $0.uppercased() }
        if offered.isEmpty { offered = [username != nil ? "PLAIN" : tls.certFile != nil ? "EXTERNAL" : "ANONYMOUS"] }
        if !config.isDescribing {
            for (index, mechanism) in offered.enumerated() where !["PLAIN", "EXTERNAL", "ANONYMOUS"].contains(mechanism) {
                config.report("sasl_mechanisms[\(index)]", "\(mechanism) is not available (PLAIN, EXTERNAL or ANONYMOUS)")
            }
            if username != nil && password == nil { config.report("password", "username is set but password is not") }
            if username == nil && password != nil { config.report("username", "password is set but username is not") }
            if offered.contains("PLAIN") && username == nil { config.report("username", "SASL PLAIN needs a username") }
            if offered.contains("PLAIN") && !allowInsecure {
                for (index, url) in urls.enumerated() where !url.tls {
                    config.report("urls[\(index)]", "\(url) would send the password in clear with SASL PLAIN; use amqps:// or set allow_insecure_plain to true")
                }
            }
            if tls.certFile != nil && tls.keyFile == nil { config.report("tls.key_file", "tls.cert_file is set but tls.key_file is not") }
            if tls.keyFile != nil && tls.certFile == nil { config.report("tls.cert_file", "tls.key_file is set but tls.cert_file is not") }
            if !urls.isEmpty && !urls.contains(where: \.tls) && (tls.caFile != nil || tls.certFile != nil) {
                config.report("tls", "TLS settings are given but no URL is amqps://")
            }
            if initialMs > maxMs { config.report("reconnect.initial_ms", "is larger than reconnect.max_ms") }
        }
        let reconnectBackoff = Backoff(initialMilliseconds: initialMs, maxMilliseconds: maxMs)
        let sender = ProtonSenderConfiguration(
            urls: urls, address: address, username: username, password: password?.value, saslMechanisms: offered,
            allowInsecureMechanisms: allowInsecure, tls: tls, window: window, openTimeoutMilliseconds: openMs,
            settleTimeoutMilliseconds: settleMs, reconnectDelay: { reconnectBackoff.delayMilliseconds(attempt: $0) },
            checkAddress: checkAddress)
        return Configuration(sender: sender, namespace: namespace, eventsPerMessage: perMessage, containerID: containerID)
    }

    public func makeSink(_ configuration: Configuration, context: ComponentContext) throws -> any Sink {
        var sender = configuration.sender
        sender.containerID = configuration.containerID ?? "collector-\(context.pipeline)-\(context.name)"
        do {
            return AMQSink(sender: try ProtonSender(sender), xml: AuditEventXML(namespace: configuration.namespace),
                           eventsPerMessage: configuration.eventsPerMessage, context: context)
        } catch let error as ProtonError {
            throw CollectorError(.configuration, error.message, context: "sinks.\(context.name)")
        }
    }
}

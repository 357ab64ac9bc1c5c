import Collector

/// Which part of an event becomes the Kafka record key (and so decides the partition).
public enum KafkaRecordKey: Sendable, Hashable {
    /// The event id (default): spreads events evenly, duplicates share a key.
    case id
    /// `actor.id`, else `actor.name`.
    case actor
    /// `resource.name` (for KNIME: the workflow path); `workflow` is accepted as a synonym.
    case resource
    /// The first attribute of that name, e.g. `attribute:jobId`.
    case attribute(String)
    /// No key: librdkafka's partitioner picks the partition.
    case none

    /// What `key` accepts, for messages.
    static let accepted = "\"id\", \"actor\", \"resource\" (or \"workflow\"), \"none\" or \"attribute:NAME\""

    /// Parses the configuration value; nil when it is none of the accepted forms.
    init?(_ text: String) {
        switch text {
        case "id": self = .id
        case "actor": self = .actor
        case "resource", "workflow": self = .resource
        case "none": self = .none
        default:
            guard text.hasPrefix("attribute:"), text.count > "attribute:".count else { return nil }
            self = .attribute(String(text.dropFirst("attribute:".count)))
        }
    }

    /// The key bytes for the event; nil for `.none` or when the chosen field is absent.
    func bytes(for event: AuditEvent) -> [UInt8]? {
        let text: String?
        switch self {
        case .id: text = event.id
        case .actor: text = event.actor.id ?? event.actor.name
        case .resource: text = event.resource.name.isEmpty ? nil : event.resource.name
        case .attribute(let name): text = event.attributes[name]
        case .none: text = nil
        }
        return text.map { Array($0.utf8) }
    }
}

import Collector

/// The `mask` enricher: replaces sensitive values in every event, after Denodo's audit masking rules
/// and beyond them.
///
/// - Always (whatever the switches): attributes named in `secret_fields` or whose name contains
///   password/passwd/secret/token/keytab/credential become `****`; inside every text (resource name,
///   attribute values) the `TextMasker` secret rules apply (`password=…`, JSON `"password": "…"`,
///   `user:password@` in URLs, keytab paths). Secrets are never hashed: a hash of a password is a
///   way to test guesses.
/// - `user`: actor id, name and proxy user, `user_fields`, the resource name of a `principal`, users in URLs.
/// - `ip`: the client address, `ip_fields`, IP addresses inside any text.
/// - `environment`: application host, `environment_fields`, URL hosts and ports, `host:port` in any text.
/// - Masked values (not secrets) become `masked:` + 16 hex of HMAC-SHA-256(key, value), or `****`
///   without a key. Stateless and thread-safe; never drops or fails an event.
public struct MaskEnricher: Enricher {
    public let configuration: MaskConfiguration
    let token: MaskToken
    let text: TextMasker

    public init(configuration: MaskConfiguration) {
        self.configuration = configuration
        token = MaskToken(key: configuration.key)
        text = TextMasker(token: token, ip: configuration.ip, user: configuration.user, environment: configuration.environment)
    }

    static let secretNameParts = ["password", "passwd", "secret", "token", "keytab", "credential"]

    public func enrich(_ event: AuditEvent) async throws -> AuditEvent? {
        mask(event)
    }

    /// The event with its sensitive values replaced.
    public func mask(_ event: AuditEvent) -> AuditEvent {
        var event = event
        let c = configuration
        if c.user {
            event.actor.id = event.actor.id.map(token.callAsFunction)
            event.actor.name = event.actor.name.map(token.callAsFunction)
            event.actor.proxyUser = event.actor.proxyUser.map(token.callAsFunction)
        }
        if c.ip { event.actor.clientIP = event.actor.clientIP.map(token.callAsFunction) }
        if c.environment && !event.application.host.isEmpty { event.application.host = token(event.application.host) }
        if c.user && event.resource.type == "principal" && !event.resource.name.isEmpty {
            event.resource.name = token(event.resource.name)
        } else {
            event.resource.name = text.mask(event.resource.name)
        }
        var attributes = Attributes()
        for element in event.attributes {
            attributes.append(element.name, maskAttribute(element.name, element.value))
        }
        event.attributes = attributes
        return event
    }

    func maskAttribute(_ name: String, _ value: String) -> String {
        guard !value.isEmpty else { return value }
        let c = configuration
        let lower = name.lowercased()
        if c.secretFields.contains(name) || Self.secretNameParts.contains(where: lower.contains) { return MaskToken.hidden }
        if c.user && c.userFields.contains(name) { return token(value) }
        if c.ip && c.ipFields.contains(name) { return token(value) }
        if c.environment && c.environmentFields.contains(name) { return token(value) }
        return text.mask(value)
    }
}

import Collector
import LibXML

/// Writes audit events as the `auditEventList` XML document consumers of the seed's ActiveMQ queue
/// read (see REFERENCE.md, "The audit event sent to ActiveMQ"):
///
/// ```xml
/// <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
/// <auditEventList xmlns="http://www.clearpeaks.com/AuditEvent"><AuditEvent>
///   <actor><id>…</id><name>…</name></actor>
///   <application><component>…</component><hostName>…</hostName><name>…</name></application>
///   <action><actionType>…</actionType><additionalInfo name="…">…</additionalInfo>…<timestamp>…</timestamp></action>
/// </AuditEvent></auditEventList>
/// ```
///
/// `additionalInfo` holds every attribute in order, then `outcome`, `resourceType`/`resourceName`
/// (when known), the actor's `proxyUser`/`clientIp`/`authMethod`/`session` (when known) and `eventId`.
/// The timestamp is RFC 3339 with microseconds and the origin's offset. Written without indentation.
public struct AuditEventXML: Sendable {
    public static let defaultNamespace = "http://www.clearpeaks.com/AuditEvent"
    public var namespace: String

    public init(namespace: String = AuditEventXML.defaultNamespace) {
        self.namespace = namespace
    }

    /// One document holding `events` (one `AuditEvent` element each), as UTF-8 bytes.
    public func document(_ events: some Collection<AuditEvent>) throws -> [UInt8] {
        let writer = try LibXMLWriter()
        try writer.startDocument(standalone: true)
        try writer.startElement("auditEventList", namespace: namespace)
        for event in events { try write(event, to: writer) }
        try writer.endElement()
        return try writer.finish()
    }

    private func write(_ event: AuditEvent, to writer: LibXMLWriter) throws {
        try writer.startElement("AuditEvent")
        try writer.startElement("actor")
        try writer.element("id", event.actor.id ?? event.actor.name ?? "")
        try writer.element("name", event.actor.name ?? event.actor.id ?? "")
        try writer.endElement()
        try writer.startElement("application")
        try writer.element("component", event.application.component)
        try writer.element("hostName", event.application.host)
        try writer.element("name", event.application.name)
        try writer.endElement()
        try writer.startElement("action")
        try writer.element("actionType", event.action.type)
        for attribute in event.attributes { try info(attribute.name, attribute.value, writer) }
        try info("outcome", event.action.outcome.rawValue, writer)
        if !event.resource.type.isEmpty { try info("resourceType", event.resource.type, writer) }
        if !event.resource.name.isEmpty { try info("resourceName", event.resource.name, writer) }
        if let proxyUser = event.actor.proxyUser { try info("proxyUser", proxyUser, writer) }
        if let clientIP = event.actor.clientIP { try info("clientIp", clientIP, writer) }
        if let authMethod = event.actor.authMethod { try info("authMethod", authMethod, writer) }
        if let session = event.actor.session { try info("session", session, writer) }
        try info("eventId", event.id, writer)
        try writer.element("timestamp", RFC3339.format(event.time, fractionDigits: 6))
        try writer.endElement()
        try writer.endElement()
    }

    private func info(_ name: String, _ value: String, _ writer: LibXMLWriter) throws {
        try writer.startElement("additionalInfo")
        try writer.attribute("name", name)
        try writer.text(value)
        try writer.endElement()
    }
}

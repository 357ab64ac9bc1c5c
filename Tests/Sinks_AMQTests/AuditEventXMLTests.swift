import Collector
import EventXML
import Testing
@testable import Sinks_AMQ

@Suite("AMQ XML body")
struct AuditEventXMLTests {
    static let reference = AuditEvent(
        id: "5d0f3c1e-0000-4000-8000-000000000001",
        time: EventTime(year: 2024, month: 4, day: 25, hour: 16, minute: 59, second: 0, nanosecond: 638_955_000, utcOffsetSeconds: 7200),
        actor: Actor(id: "victor", name: "victor"),
        action: Action(type: "EXECUTION_FAILED", outcome: .failure),
        application: Application(name: "KNIME", component: "KNIME Server", host: "node003.clearpeaks.com"),
        attributes: Attributes([
            ("jobId", "f9ff25f9-6ac8-489b-ad8e-73c421f8b119"),
            ("errorMessage", "Execute failed: Invoking Kerberos init (kinit) failed."),
            ("paths", "/knime/data/test.csv"),
            ("audit_path", "/knime/knimerepo/audit/20240425/f9ff25f9-6ac8-489b-ad8e-73c421f8b119-20240425165900"),
        ]))

    @Test("the reference event is written as REFERENCE.md shows it (plus outcome and eventId)")
    func referenceDocument() throws {
        let text = String(decoding: try AuditEventXML().document([Self.reference]), as: UTF8.self)
        let expected = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <auditEventList xmlns="http://www.clearpeaks.com/AuditEvent"><AuditEvent>\
        <actor><id>victor</id><name>victor</name></actor>\
        <application><component>KNIME Server</component><hostName>node003.clearpeaks.com</hostName><name>KNIME</name></application>\
        <action><actionType>EXECUTION_FAILED</actionType>\
        <additionalInfo name="jobId">f9ff25f9-6ac8-489b-ad8e-73c421f8b119</additionalInfo>\
        <additionalInfo name="errorMessage">Execute failed: Invoking Kerberos init (kinit) failed.</additionalInfo>\
        <additionalInfo name="paths">/knime/data/test.csv</additionalInfo>\
        <additionalInfo name="audit_path">/knime/knimerepo/audit/20240425/f9ff25f9-6ac8-489b-ad8e-73c421f8b119-20240425165900</additionalInfo>\
        <additionalInfo name="outcome">failure</additionalInfo>\
        <additionalInfo name="eventId">5d0f3c1e-0000-4000-8000-000000000001</additionalInfo>\
        <timestamp>2024-04-25T16:59:00.638955+02:00</timestamp></action></AuditEvent></auditEventList>

        """
        #expect(text == expected)
    }

    @Test("markup characters are escaped, forbidden characters removed, non-ASCII kept")
    func escaping() throws {
        var event = Self.reference
        event.actor = Actor(id: "a<b>&\"c'", name: "Zoë 🙂 名前")
        event.attributes = Attributes([("we\"ird<name>", "x < y && \"q\" 'r' \u{1}\u{0}\u{7}bell\u{FFFE}\ttab\nline")])
        let text = String(decoding: try AuditEventXML().document([event]), as: UTF8.self)
        #expect(text.contains("<id>a&lt;b&gt;&amp;&quot;c'</id>"))
        #expect(text.contains("<name>Zoë 🙂 名前</name>"))
        #expect(text.contains("<additionalInfo name=\"we&quot;ird&lt;name&gt;\">x &lt; y &amp;&amp; &quot;q&quot; 'r' bell\ttab\nline</additionalInfo>"))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
    }

    @Test("the namespace is configurable and several events share one document")
    func namespaceAndBatch() throws {
        let text = String(decoding: try AuditEventXML(namespace: "urn:example:audit").document([Self.reference, Self.reference]), as: UTF8.self)
        #expect(text.contains("<auditEventList xmlns=\"urn:example:audit\">"))
        #expect(text.components(separatedBy: "<AuditEvent>").count == 3)
    }
}

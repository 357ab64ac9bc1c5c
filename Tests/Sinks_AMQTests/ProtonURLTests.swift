import Proton
import Testing

@Suite("AMQP URLs")
struct ProtonURLTests {
    @Test("schemes, default ports, IPv6 and refusals")
    func parsing() {
        var error = ""
        #expect(ProtonURL("amqps://amq1.example.com", error: &error) == ProtonURL(tls: true, host: "amq1.example.com", port: 5671))
        #expect(ProtonURL("amqp://127.0.0.1:24672", error: &error) == ProtonURL(tls: false, host: "127.0.0.1", port: 24672))
        #expect(ProtonURL("amqp://[::1]:5673/", error: &error) == ProtonURL(tls: false, host: "::1", port: 5673))
        #expect(ProtonURL("amqp://[::1]:5673", error: &error)?.description == "amqp://[::1]:5673")
        #expect(ProtonURL("tcp://host:1", error: &error) == nil)
        #expect(ProtonURL("amqp://user:pw@host", error: &error) == nil)
        #expect(error.contains("credentials"))
        #expect(!error.contains("pw@"))
        #expect(ProtonURL("amqp://host:99999", error: &error) == nil)
        #expect(ProtonURL("amqp://host/queue", error: &error) == nil)
        #expect(error.contains("address"))
    }
}

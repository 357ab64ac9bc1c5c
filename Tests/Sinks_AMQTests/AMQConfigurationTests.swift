import Collector
import Testing
@testable import Sinks_AMQ

@Suite("AMQ configuration")
struct AMQConfigurationTests {
    @Test("PLAIN over amqp:// is refused unless allow_insecure_plain is set")
    func insecurePlain() throws {
        let json = #"{"urls": ["amqp://broker:5672"], "address": "q", "username": "u", "password": "${env:PW}"}"#
        let (_, issues) = try AMQTestSupport.configuration(json, environment: ["PW": "secret"])
        #expect(issues.map(\.path) == ["sinks.amq.urls[0]"])
        #expect(issues.first?.message.contains("allow_insecure_plain") == true)
        let allowed = #"{"urls": ["amqp://broker:5672"], "address": "q", "username": "u", "password": "${env:PW}", "allow_insecure_plain": true}"#
        #expect(try AMQTestSupport.configuration(allowed, environment: ["PW": "secret"]).1.isEmpty)
    }

    @Test("a literal password, a bad URL and a typo are reported with their place")
    func badValues() throws {
        let json = #"{"urls": ["http://broker", "amqps://u:p@broker"], "address": "q", "username": "u", "password": "hunter2", "windw": 3}"#
        let (_, issues) = try AMQTestSupport.configuration(json, environment: [:])
        let paths = issues.map(\.path)
        #expect(paths.contains("sinks.amq.urls[0]"))
        #expect(paths.contains("sinks.amq.urls[1]"))
        #expect(paths.contains("sinks.amq.password"))
        #expect(issues.contains { $0.path == "sinks.amq.windw" && $0.message.contains("window") })
        #expect(!issues.description.contains("hunter2") || issues.contains { $0.path == "sinks.amq.password" && !$0.message.contains("hunter2") })
    }

    @Test("defaults: verify peer name, PLAIN with a username, one event per message, reference namespace")
    func defaults() throws {
        let json = #"{"urls": "amqps://a:5671", "address": "queue://audit", "username": "u", "password": "${env:PW}"}"#
        let (configuration, issues) = try AMQTestSupport.configuration(json, environment: ["PW": "pw"])
        #expect(issues.isEmpty)
        #expect(configuration.sender.tls.verifyPeerName)
        #expect(configuration.sender.saslMechanisms == ["PLAIN"])
        #expect(!configuration.sender.allowInsecureMechanisms)
        #expect(configuration.eventsPerMessage == 1)
        #expect(configuration.namespace == "http://www.clearpeaks.com/AuditEvent")
        #expect(configuration.sender.password == "pw")
    }
}

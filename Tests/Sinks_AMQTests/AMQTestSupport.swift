import Collector
import Foundation
import Logging
@testable import Sinks_AMQ

/// Makes `amq` sinks from pipeline-file JSON, as the engine would.
enum AMQTestSupport {
    static let environment: [String: String] = ProcessInfo.processInfo.environment

    /// Reads `json` with the factory; returns the issues instead of a sink when there are any.
    static func configuration(_ json: String, environment: [String: String] = environment) throws -> (AMQSinkFactory.Configuration, [ConfigIssue]) {
        let diagnostics = ConfigDiagnostics(file: "test.json")
        let section = ConfigSection(path: "sinks.amq", object: try JSONParser.parse(json), diagnostics: diagnostics,
                                    secrets: SecretResolver(mode: .resolve, environment: environment))
        let configuration = AMQSinkFactory().configuration(section)
        section.finish()
        return (configuration, diagnostics.issues)
    }

    static func sink(_ json: String, environment: [String: String] = environment) throws -> any Sink {
        let (configuration, issues) = try configuration(json, environment: environment)
        guard issues.isEmpty else { throw TestSetupError("configuration issues: \(issues)") }
        var logger = Logger(label: "amq-test")
        logger.logLevel = .error
        return try AMQSinkFactory().makeSink(configuration, context: ComponentContext(
            pipeline: "test", name: "amq", dataDirectory: NSTemporaryDirectory(), logger: logger))
    }

    /// JSON for the test broker; `tls` picks the amqps:// listener with the test CA.
    static func json(_ broker: AMQTestBroker, tls: Bool, address: String? = nil, caFile: String? = nil,
                     passwordVariable: String = "COLLECTOR_TEST_AMQP_PASSWORD", openMs: Int = 5000, settleMs: Int = 10_000,
                     extra: String = "") -> String {
        let url = tls ? broker.tlsURL : broker.url
        let tlsPart = tls ? #", "tls": {"ca_file": "\#(caFile ?? broker.caFile)"}"# : #", "allow_insecure_plain": true"#
        return """
        {"urls": ["\(url)"], "address": "\(address ?? broker.address)", "username": "\(broker.user)",
         "password": "${env:\(passwordVariable)}", "timeouts": {"open_ms": \(openMs), "settle_ms": \(settleMs)},
         "reconnect": {"initial_ms": 100, "max_ms": 1000}\(tlsPart)\(extra)}
        """
    }

    /// Writes like the engine does: a retriable error means "write the same batch again later".
    static func writeRetrying(_ sink: any Sink, _ events: [AuditEvent], attempts: Int = 600,
                              pause: Duration = .milliseconds(200)) async throws -> (SinkResult, failures: Int) {
        var failures = 0
        while true {
            do {
                return (try await sink.write(events), failures)
            } catch let error as CollectorError where error.isRetriable {
                failures += 1
                if failures >= attempts { throw error }
                try await Task.sleep(for: pause)
            }
        }
    }

    static func event(_ index: Int, tag: String) -> AuditEvent {
        AuditEvent(
            id: AuditEvent.deterministicID("amq-test", tag, String(index)),
            time: EventTime(year: 2024, month: 4, day: 25, hour: 16, minute: 59, second: 0, nanosecond: 638_955_000 + index * 1000,
                            utcOffsetSeconds: 7200),
            actor: Actor(id: "victor", name: "victor"),
            action: Action(type: "EXECUTION_FAILED", outcome: .failure),
            resource: Resource(type: "workflow", name: "/TeamA/flow \(index)"),
            application: Application(name: "KNIME", component: "KNIME Server", host: "node003.clearpeaks.com"),
            attributes: ["jobId": "job-\(tag)-\(index)", "errorMessage": "Execute failed: \(index)"])
    }
}

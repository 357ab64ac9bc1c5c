import Collector
import CollectorTestKit
import Foundation
import Sinks_AMQ
import Sinks_File
import Sources_KnimeLog
import Testing
@testable import Enrichers_Knime

@Suite("KNIME pipeline files")
struct KnimePipelineFileTests {
    func registry() -> ComponentRegistry {
        var registry = ComponentRegistry()
        registry.register(KnimeLogSourceFactory())
        registry.register(KnimeJobEnricherFactory())
        registry.register(KnimeWorkflowEnricherFactory())
        registry.register(FileSinkFactory())
        registry.register(StdoutSinkFactory())
        registry.register(AMQSinkFactory())
        registry.register(KnimeJobsSourceFactory())
        return registry
    }

    @Test("pipelines/knime-audit.json (production example), knime-audit-demo.json and knime-hub-audit.json load",
          arguments: ["knime-audit", "knime-audit-demo", "knime-hub-audit"])
    func load(name: String) throws {
        let environment = ["KNIME_USER": "auditor", "KNIME_DEMO_URL": "http://127.0.0.1:1/knime/rest/v4", "KNIME_DEMO_LOGS": "/tmp/l",
                           "KNIME_DEMO_AUDIT": "/tmp/a", "KNIME_DEMO_DATA": "/tmp/d", "KNIME_DEMO_AUDIT_FILE": "/tmp/o/audit.log"]
        let loader = PipelineLoader(registry: registry(), secrets: SecretResolver(mode: .checkOnly, environment: environment))
        let definition = try loader.load(file: TestFiles.repository + "/pipelines/\(name).json")
        #expect(definition.name == name)
    }

    @Test("a typo in a knime_workflow key is reported with its place and the nearest key")
    func typo() throws {
        let loader = PipelineLoader(registry: registry(), secrets: SecretResolver(mode: .checkOnly, environment: [:]))
        let text = """
        { "name": "t", "data_dir": "/tmp/t",
          "sources": { "tomcat": { "type": "knime_log", "logs_dir": "/tmp/l" } },
          "enrichers": { "job": { "type": "knime_job", "inputs": ["tomcat"], "server": { "url": "https://k/knime/rest/v4" } },
                         "workflow": { "type": "knime_workflow", "inputs": ["job"], "audit_dri": "/a" } },
          "sinks": { "out": { "type": "stdout", "inputs": ["workflow"] } } }
        """
        let error = #expect(throws: PipelineConfigurationError.self) { try loader.load(text: text) }
        let messages = error?.issues.map(\.description).joined(separator: "\n") ?? ""
        #expect(messages.contains("enrichers.workflow.audit_dri"))
        #expect(messages.contains("audit_dir"))
    }
}

import Archive
import Collector
import CollectorTestKit
import Foundation
import KnimeStandIn
import Sinks_File
import Sources_KnimeLog
import Testing
@testable import Enrichers_Knime

/// The whole KNIME pipeline through the engine: Tomcat log → knime_log → knime_job → knime_workflow
/// → file (Knox) + recording sink, against the stand-in serving executed copies of the real archives.
@Suite("KNIME audit end to end")
struct KnimeEndToEndTests {
    @Test("50 jobs of mixed states: 50 events with the right fields, 50 audit folders without intermediate data")
    func fiftyJobs() async throws {
        let root = TestFiles.temporaryDirectory()
        let server = KnimeStandInServer()
        let scenario = try StandInScenario.day(count: 50, dayStartMilliseconds: 1_714_003_200_000, executedDirectory: root)
        scenario.install(on: server)
        try await server.start()
        defer { Task { await server.stop() } }
        try StandInTomcatLog.write(scenario.jobs, to: root + "/logs")

        let recorder = EventRecorder()
        var registry = ComponentRegistry()
        registry.register(KnimeLogSourceFactory())
        registry.register(KnimeJobEnricherFactory())
        registry.register(KnimeWorkflowEnricherFactory())
        registry.register(FileSinkFactory())
        registry.register(RecordingSinkFactory(recorder: recorder))
        let harness = PipelineHarness(registry: registry, environment: ["KNIME_URL": server.baseURL])
        let text = """
        { "name": "e2e-knime", "data_dir": "\(root)/data",
          "sources": { "tomcat": { "type": "knime_log", "logs_dir": "\(root)/logs", "paths": ["localhost.*.log"],
                                   "timezone": "UTC", "host": "knime-standin", "poll_interval_ms": 50 } },
          "enrichers": {
            "job": { "type": "knime_job", "inputs": ["tomcat"], "concurrency": 8,
                     "server": { "url": "${env:KNIME_URL}", "backoff_initial_ms": 20 } },
            "workflow": { "type": "knime_workflow", "inputs": ["job"], "concurrency": 4, "audit_dir": "\(root)/audit" } },
          "sinks": {
            "file": { "type": "file", "inputs": ["workflow"], "path": "\(root)/out/audit.log", "format": "knox" },
            "recording": { "type": "recording", "inputs": ["workflow"] } } }
        """
        _ = try await harness.runUntilIdle(text, timeout: .seconds(120))

        let events = recorder.events
        #expect(events.count == 50)
        #expect(Set(events.map(\.id)).count == 50)
        let byJob = Dictionary(events.compactMap { event in event.attributes["jobId"].map { ($0, event) } }) { first, _ in first }
        #expect(byJob.count == 50)
        for job in scenario.jobs {
            let event = try #require(byJob[job.id], "no event for \(job.id)")
            #expect(event.action.type == job.state)
            #expect(event.actor.id == job.owner)
            #expect(event.resource.name == job.workflow)
            let folder = try #require(event.attributes["audit_path"], "\(job.id) has no audit_path")
            let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            #expect(files.contains("\(job.id).knwf"))
            if job.behaviour == .discarded {
                #expect(event.attributes["enrichment_error"]?.contains("404") == true)
            } else {
                #expect(event.attributes["enrichment_error"] == nil, "\(job.id): \(event.attributes["enrichment_error"] ?? "")")
                #expect(event.attributes["jobState"] == job.state)
                #expect(files.sorted() == ["\(job.id).knwf", "job-summary.json", "workflow-summary.json"])
                #expect(!event.attributes.values("paths").isEmpty)
            }
            if job.state.hasPrefix("EXECUTION_FAILED"), job.behaviour != .discarded {
                #expect(event.attributes["errorMessage"] == job.errorMessage)
            }
            // The archived workflow holds configuration only.
            let reader = try ArchiveReader(path: folder + "/\(job.id).knwf")
            var entries = 0
            while let entry = try reader.next() {
                entries += 1
                let relative = entry.path.split(separator: "/").dropFirst().map(String.init)
                #expect(KnwfProcessor.isConfiguration(relative), "\(entry.path) in \(folder)")
            }
            #expect(entries > 0)
        }
        let folders = try FileManager.default.contentsOfDirectory(atPath: root + "/audit/20240425").filter { !$0.hasPrefix(".") }
        #expect(folders.count == 50)
        let lines = try String(contentsOfFile: root + "/out/audit.log", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 50)
    }
}

import Collector
import CollectorTestKit
import Foundation
import KnimeStandIn
import Sinks_File
import Sources_KnimeLog
import Testing
@testable import Enrichers_Knime

/// `knime_job` hands its answers to `knime_workflow` in the event's context, not through process state.
@Suite("KNIME answers travel with the event")
struct KnimeEventContextTests {
    @Test("knime_workflow writes the answers knime_job fetched: one request each, not two")
    func answersCarried() async throws {
        let fixture = try await StandInFixture.start()
        defer { Task { await fixture.stop() } }
        let job = StandInFixture.job(21, state: "EXECUTION_FAILED")
        fixture.server.add(job)
        let jobs = try fixture.jobEnricher(pipeline: "p")
        let workflows = try fixture.workflowEnricher(pipeline: "p", auditDirectory: fixture.directory + "/audit")
        try await workflows.start()
        let enriched = try #require(try await jobs.enrich(StandInFixture.event(for: job)))
        let answers = try #require(enriched.context[KnimeJobAnswersKey.self])
        #expect(answers.job != nil && answers.summaryFile != nil && answers.summary == nil, "the summary waits in a spill file")
        let spilled = try #require(answers.summaryFile).path
        #expect(FileIO.exists(spilled))
        #expect(answers.server.baseURL == fixture.server.baseURL)
        let event = try #require(try await workflows.enrich(enriched))
        #expect(event.context[KnimeJobAnswersKey.self] == nil, "consumed: not carried on to the sinks")
        #expect(event.attributes["enrichment_error"] == nil, "\(event.attributes["enrichment_error"] ?? "")")
        #expect(fixture.server.calls("/jobs/\(job.id)") == 1)
        #expect(fixture.server.calls("/jobs/\(job.id)/workflow-summary") == 1)
        let folder = try #require(event.attributes["audit_path"])
        #expect(try FileIO.readAll(folder + "/job-summary.json") == answers.job)
        #expect(try FileIO.readAll(folder + "/workflow-summary.json") == answers.summaryBytes())
        #expect(fixture.resources.count == 1, "knime_job and knime_workflow share the pipeline's one client")

        // The same event without its context (as re-read from a file) and a knime_workflow with its
        // own server section: it asks the server itself. Without a server section it cannot.
        let elsewhere = try KnimeWorkflowEnricher(.init(auditDirectory: fixture.directory + "/audit-2", server: fixture.serverConfiguration()),
                                                  context: fixture.context("workflow-2", pipeline: "p"))
        try await elsewhere.start()
        var stripped = enriched
        stripped.context = EventContext()
        let again = try #require(try await elsewhere.enrich(stripped))
        #expect(again.attributes["enrichment_error"] == nil)
        #expect(fixture.server.calls("/jobs/\(job.id)") == 2)
        #expect(fixture.server.calls("/jobs/\(job.id)/workflow-summary") == 2)
        #expect(fixture.resources.count == 1, "the same server section leases the same client")
        let serverless = try fixture.workflowEnricher(pipeline: "p", auditDirectory: fixture.directory + "/audit-3")
        try await serverless.start()
        let orphan = try #require(try await serverless.enrich(stripped))
        #expect(orphan.attributes["enrichment_error"]?.contains("no KNIME server configured") == true)
        await jobs.shutdown()
        await workflows.shutdown()
        await elsewhere.shutdown()
        #expect(fixture.resources.count == 0, "the last lease shut the client down")
    }

    @Test("two pipelines in one process: each sees only its own server's answers")
    func twoPipelines() async throws {
        let root = TestFiles.temporaryDirectory()
        let servers = [KnimeStandInServer(), KnimeStandInServer()]
        let owners = ["victor", "ana"]
        let jobs = (0..<2).map { side in (1...12).map { StandInFixture.job($0, owner: owners[side]) } }
        for (side, server) in servers.enumerated() {
            for (path, file) in StandInFixture.workflows {
                server.add(StandInWorkflow(path: path, body: .archive(TestFiles.archive(file))))
            }
            jobs[side].forEach(server.add)
            try await server.start()
            try StandInTomcatLog.write(jobs[side], to: root + "/logs-\(side)")
        }
        defer { Task { for server in servers { await server.stop() } } }
        var registry = ComponentRegistry()
        registry.register(KnimeLogSourceFactory())
        registry.register(KnimeJobEnricherFactory())
        registry.register(KnimeWorkflowEnricherFactory())
        registry.register(FileSinkFactory())
        let harness = PipelineHarness(registry: registry)
        func text(_ side: Int) -> String {
            """
            { "name": "same-name", "data_dir": "\(root)/data-\(side)",
              "sources": { "tomcat": { "type": "knime_log", "logs_dir": "\(root)/logs-\(side)", "paths": ["localhost.*.log"],
                                       "timezone": "UTC", "host": "node003", "poll_interval_ms": 50 } },
              "enrichers": {
                "job": { "type": "knime_job", "inputs": ["tomcat"], "concurrency": 4,
                         "server": { "url": "\(servers[side].baseURL)", "backoff_initial_ms": 20 } },
                "workflow": { "type": "knime_workflow", "inputs": ["job"], "concurrency": 4, "audit_dir": "\(root)/audit-\(side)" } },
              "sinks": { "file": { "type": "file", "inputs": ["workflow"], "path": "\(root)/out-\(side)/audit.jsonl", "format": "json" } } }
            """
        }
        async let first = harness.runUntilIdle(text(0), timeout: .seconds(120))
        async let second = harness.runUntilIdle(text(1), timeout: .seconds(120))
        _ = try await (first, second)

        for side in 0..<2 {
            let lines = try String(contentsOfFile: root + "/out-\(side)/audit.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 12)
            for line in lines { #expect(!line.contains("enrichment_error"), "\(line)") }
            for job in jobs[side] {
                #expect(servers[side].calls("/jobs/\(job.id)") == 1, "side \(side): the job is fetched once")
                #expect(servers[side].calls("/jobs/\(job.id)/workflow-summary") == 1, "side \(side): the summary is fetched once")
                let day = root + "/audit-\(side)/20240425"
                let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: day).first { $0.hasPrefix(job.id) })
                let answer = try JSONParser.parse(try #require(try FileIO.readAll(day + "/" + folder + "/job-summary.json")))
                #expect(answer["owner"]?.stringValue == owners[side], "side \(side) got the other pipeline's answer")
            }
        }
    }
}

import Collector
import Foundation
import KnimeStandIn
import Testing
@testable import Enrichers_Knime

@Suite("knime_job and knime_workflow against the stand-in")
struct KnimeEnricherTests {
    @Test("a finished job is enriched and archived; locations from summary and archive are merged")
    func enriched() async throws {
        let fixture = try await StandInFixture.start()
        defer { Task { await fixture.stop() } }
        let job = StandInFixture.job(1, state: "EXECUTION_FAILED")
        fixture.server.add(job)
        let pipeline = "p-\(UUID().uuidString)"
        let audit = fixture.directory + "/audit"
        let jobs = try fixture.jobEnricher(pipeline: pipeline)
        let workflows = try fixture.workflowEnricher(pipeline: pipeline, auditDirectory: audit)
        try await workflows.start()
        let first = try #require(try await jobs.enrich(StandInFixture.event(for: job)))
        #expect(first.attributes["enrichment_error"] == nil)
        #expect(first.attributes["owner"] == "victor")
        #expect(first.attributes["jobState"] == "EXECUTION_FAILED")
        #expect(first.attributes["errorMessage"] == "Execute failed: Invoking Kerberos init (kinit) failed.")
        #expect(first.attributes["errorNode"] == "Excel Writer 3:294")
        #expect(first.attributes["finishedAt"] != nil)
        let event = try #require(try await workflows.enrich(first))
        #expect(event.attributes["enrichment_error"] == nil, "\(event.attributes["enrichment_error"] ?? "")")
        let paths = event.attributes.values("paths")
        #expect(Set(paths).count == paths.count)
        #expect(paths.contains("/home/cpena/projects/Lily/1_compounds_bioactivity.xlsx"))
        #expect(paths.contains("CUSTOM_URL(1000):file:/home/cpena/projects/ChEMBL_compound_of_targets/61Proteins-PPI.xlsx"))
        #expect(paths.contains("chembl_29"))
        #expect(!paths.contains { $0.contains("02DAAAAGMq") || $0 == "********" })
        let folder = try #require(event.attributes["audit_path"])
        #expect(folder == audit + "/20240425/\(job.id)-20240425\(Self.hms(job.finishedAt))")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files == ["\(job.id).knwf", "job-summary.json", "workflow-summary.json"])
        #expect(try Self.mode(folder) == 0o750)
        for file in files { #expect(try Self.mode(folder + "/" + file) == 0o640) }
        // Re-processing the same event: same folder, no second one, no staging left.
        let again = try #require(try await workflows.enrich(first))
        #expect(again.attributes["audit_path"] == folder)
        #expect(Set(again.attributes.values("paths")) == Set(paths))
        #expect(try FileManager.default.contentsOfDirectory(atPath: audit + "/20240425") == [folder.split(separator: "/").last.map(String.init)!])
        await jobs.shutdown()
        await workflows.shutdown()
    }

    @Test("404: the event goes on with enrichment_error and what the log knew")
    func discarded() async throws {
        let fixture = try await StandInFixture.start()
        defer { Task { await fixture.stop() } }
        let job = StandInFixture.job(2, behaviour: .discarded)
        fixture.server.add(job)
        let pipeline = "p-\(UUID().uuidString)"
        let jobs = try fixture.jobEnricher(pipeline: pipeline)
        let workflows = try fixture.workflowEnricher(pipeline: pipeline, auditDirectory: fixture.directory + "/audit")
        let original = StandInFixture.event(for: job)
        let event = try await Self.both(jobs, workflows, original)
        let error = try #require(event.attributes["enrichment_error"])
        #expect(error.contains("404"))
        #expect(event.actor == original.actor && event.action == original.action && event.resource == original.resource)
        #expect(fixture.server.calls("/jobs/\(job.id)") == 1, "a 404 is not retried")
        // The workflow itself is still archived (the repository still has it).
        let folder = try #require(event.attributes["audit_path"])
        #expect(FileManager.default.fileExists(atPath: folder + "/\(job.id).knwf"))
        await jobs.shutdown()
        await workflows.shutdown()
    }

    @Test("500 twice, then success: enriched")
    func serverErrorThenSuccess() async throws {
        let fixture = try await StandInFixture.start()
        defer { Task { await fixture.stop() } }
        let job = StandInFixture.job(3, workflow: "/Examples/Pharmacophores", behaviour: .failing(count: 2))
        fixture.server.add(job)
        let jobs = try fixture.jobEnricher(pipeline: "p-\(UUID().uuidString)")
        let event = try #require(try await jobs.enrich(StandInFixture.event(for: job)))
        #expect(event.attributes["enrichment_error"] == nil)
        #expect(event.attributes["jobState"] == "EXECUTION_FINISHED")
        #expect(fixture.server.calls("/jobs/\(job.id)") == 3)
        await jobs.shutdown()
    }

    @Test("server down: enrichment_error after the retries, no throw")
    func serverDown() async throws {
        let fixture = try await StandInFixture.start()
        let job = StandInFixture.job(4)
        var configuration = fixture.serverConfiguration(retries: 2)
        await fixture.stop()
        configuration.connectTimeoutMilliseconds = 500
        let jobs = try KnimeJobEnricher(.init(server: configuration, maxPaths: 10, summary: true), context: fixture.context("job"))
        let event = try #require(try await jobs.enrich(StandInFixture.event(for: job)))
        #expect(event.attributes["enrichment_error"]?.contains("knime_job") == true)
        await jobs.shutdown()
    }

    @Test("a slow job does not delay the others")
    func slowJob() async throws {
        let fixture = try await StandInFixture.start()
        defer { Task { await fixture.stop() } }
        let slow = StandInFixture.job(10, behaviour: .slow(milliseconds: 4_000))
        fixture.server.add(slow)
        let fast = (11...14).map { StandInFixture.job($0, workflow: "/Team A/Spatial weights") }
        fast.forEach(fixture.server.add)
        let jobs = try fixture.jobEnricher(pipeline: "p-\(UUID().uuidString)")
        let clock = ContinuousClock()
        let start = clock.now
        let finished = try await withThrowingTaskGroup(of: (String, Duration).self) { group in
            for job in [slow] + fast {
                group.addTask {
                    let event = try await jobs.enrich(StandInFixture.event(for: job))
                    #expect(event?.attributes["enrichment_error"] == nil)
                    return (job.id, clock.now - start)
                }
            }
            var out: [String: Duration] = [:]
            for try await (id, elapsed) in group { out[id] = elapsed }
            return out
        }
        // Not a fixed time (the machine may be loaded): every fast job is done well before the slow one.
        #expect(finished[slow.id]! >= .milliseconds(4_000))
        for job in fast { #expect(finished[job.id]! < finished[slow.id]! - .milliseconds(1_000)) }
        await jobs.shutdown()
    }

    @Test("zip-slip skipped and named; bomb and truncated archives: the event carries the error; nothing written outside",
          arguments: ["slip", "bomb", "truncated"])
    func hostileArchive(kind: String) async throws {
        let fixture = try await StandInFixture.start()
        defer { Task { await fixture.stop() } }
        let archive = fixture.directory + "/\(kind).knwf"
        switch kind {
        case "slip": try StandInArchives.writeZipSlip(to: archive)
        case "bomb": try StandInArchives.writeZipBomb(to: archive, megabytes: 64)
        default: break
        }
        let path = "/Hostile/\(kind)"
        fixture.server.add(StandInWorkflow(path: path, body: kind == "truncated"
            ? .truncated(TestFiles.archive("01_ChEMBL_bioactive_compunds.knwf")) : .archive(archive)))
        let job = StandInFixture.job(20, workflow: path)
        fixture.server.add(job)
        let pipeline = "p-\(UUID().uuidString)"
        let audit = fixture.directory + "/deep/audit"
        let jobs = try fixture.jobEnricher(pipeline: pipeline)
        let workflows = try fixture.workflowEnricher(pipeline: pipeline, auditDirectory: audit)
        try await workflows.start()
        let event = try await Self.both(jobs, workflows, StandInFixture.event(for: job))
        let folder = try #require(event.attributes["audit_path"])
        if kind == "slip" {
            // The escaping entry is skipped and named; the workflow itself is still archived.
            #expect(event.attributes["enrichment_error"] == nil)
            #expect(event.attributes["archive_skipped_entries"] == "1")
            #expect(event.attributes.values("archive_skipped") == ["Evil/../../escaped.txt (escapes the root folder)"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["\(job.id).knwf", "job-summary.json", "workflow-summary.json"])
        } else {
            let error = try #require(event.attributes["enrichment_error"])
            #expect(error.contains("workflow archive"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["job-summary.json", "workflow-summary.json"])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory + "/deep") == ["audit"])
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/escaped.txt"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: audit + "/20240425").count == 1)
        await jobs.shutdown()
    }

    @Test("a broken settings.xml is named in the event; the other nodes' locations are still added")
    func brokenSettings() async throws {
        let fixture = try await StandInFixture.start()
        defer { Task { await fixture.stop() } }
        let broken = "Target ChEMB (#276)/Excel Reader (#286)/settings.xml"
        let archive = fixture.directory + "/broken.knwf"
        try KnwfProcessorTests.rewrite(TestFiles.archive("01_ChEMBL_bioactive_compunds.knwf"), to: archive, corrupting: broken)
        let path = "/Broken/settings"
        fixture.server.add(StandInWorkflow(path: path, body: .archive(archive)))
        let job = StandInFixture.job(21, workflow: path)
        fixture.server.add(job)
        let pipeline = "p-\(UUID().uuidString)"
        let jobs = try fixture.jobEnricher(pipeline: pipeline)
        let workflows = try fixture.workflowEnricher(pipeline: pipeline, auditDirectory: fixture.directory + "/audit")
        try await workflows.start()
        let event = try await Self.both(jobs, workflows, StandInFixture.event(for: job))
        #expect(event.attributes.values("archive_unparsed_settings") == [broken])
        #expect(event.attributes["enrichment_error"]?.contains(broken) == true)
        #expect(event.attributes.values("paths").contains("/home/cpena/projects/Lily/1_compounds_bioactivity.xlsx"))
        let folder = try #require(event.attributes["audit_path"])
        #expect(FileManager.default.fileExists(atPath: folder + "/\(job.id).knwf"))
        await jobs.shutdown()
        await workflows.shutdown()
    }

    @Test("the maximum of paths is reported as an explicit truncated count")
    func truncatedPaths() async throws {
        let fixture = try await StandInFixture.start()
        defer { Task { await fixture.stop() } }
        let job = StandInFixture.job(30)
        fixture.server.add(job)
        let pipeline = "p-\(UUID().uuidString)"
        let jobs = try fixture.jobEnricher(pipeline: pipeline, maxPaths: 3)
        let workflows = try fixture.workflowEnricher(pipeline: pipeline, auditDirectory: fixture.directory + "/audit", maxPaths: 3)
        let event = try await Self.both(jobs, workflows, StandInFixture.event(for: job))
        #expect(event.attributes.values("paths").count == 3)
        let truncated = try #require(Int(event.attributes["paths_truncated"] ?? ""))
        #expect(truncated > 0)
        await jobs.shutdown()
    }

    static func both(_ jobs: KnimeJobEnricher, _ workflows: KnimeWorkflowEnricher, _ event: AuditEvent) async throws -> AuditEvent {
        let enriched = try #require(try await jobs.enrich(event))
        return try #require(try await workflows.enrich(enriched))
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    static func hms(_ milliseconds: Int64) -> String {
        let c = EventTime(millisecondsSinceEpoch: milliseconds, utcOffsetSeconds: 7200).civil
        return String(format: "%02d%02d%02d", c.hour, c.minute, c.second)
    }
}

import Collector
import CollectorTestKit
import Foundation
import KnimeStandIn
import Sinks_File
import Sources_KnimeLog
import Testing
@testable import Enrichers_Knime

/// `knime_jobs` against the stand-in: jobs that finish over time, restarts, discards, clock skew.
@Suite("knime_jobs REST poll source")
struct KnimeJobsSourceTests {
    static func registry() -> ComponentRegistry {
        var registry = ComponentRegistry()
        registry.register(KnimeJobsSourceFactory())
        registry.register(KnimeLogSourceFactory())
        registry.register(FileSinkFactory())
        return registry
    }

    /// `count` jobs ending one after the other between `from` and `to` ms from now (server clock),
    /// each created and started well before, so polls see them running first.
    static func liveJobs(_ count: Int, prefix: Int, from: Int64, to: Int64, now: Int64 = StandInJobList.now(),
                         skew: (Int) -> Int64 = { _ in 0 }) -> [StandInJob] {
        (0..<count).map { index in
            let finished = now + from + (to - from) * Int64(index) / Int64(max(count - 1, 1))
            var job = StandInFixture.job(prefix * 100_000 + index, state: index % 5 == 4 ? "EXECUTION_FAILED" : "EXECUTION_FINISHED")
            job.createdAt = now - 60_000
            job.startedAt = now - 59_000
            job.finishedAt = finished
            job.reportedSkewMilliseconds = skew(index)
            return job
        }
    }

    static func pipeline(_ root: String, _ server: KnimeStandInServer, name: String = "hub", extra: String = "",
                         credentials: String = "") -> String {
        """
        { "name": "\(name)", "data_dir": "\(root)/data", "queue_capacity": 8192,
          "sources": { "hub": { "type": "knime_jobs", "interval_ms": 100, \(extra)
                                "server": { "url": "\(server.baseURL)", "backoff_initial_ms": 20, "retries": 1\(credentials) } } },
          "sinks": { "file": { "type": "file", "inputs": ["hub"], "path": "\(root)/out/audit.jsonl", "format": "json" } } }
        """
    }

    /// The events written so far (one JSON object per line).
    static func events(_ root: String) throws -> [JSONValue] {
        guard let bytes = try FileIO.readAll(root + "/out/audit.jsonl") else { return [] }
        return try String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    /// Runs a pipeline until `condition` holds (checked every 20 ms, up to `timeout`), then stops it gracefully.
    static func run(_ text: String, until condition: @escaping @Sendable () throws -> Bool,
                    timeout: Duration = .seconds(90)) async throws {
        let pipeline = try PipelineHarness(registry: registry()).pipeline(text)
        let task = Task { try await pipeline.run() }
        let deadline = ContinuousClock.now + timeout
        while try !condition() {
            if ContinuousClock.now > deadline {
                pipeline.stop()
                _ = await task.result
                Issue.record("condition not met within \(timeout)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        pipeline.stop()
        try await task.value
    }

    /// Waits until `server` answered `more` further job-list requests: a whole poll then happened
    /// after whatever was changed before the call.
    static func polls(_ server: KnimeStandInServer, _ path: String = "/jobs/", more: Int = 2) async throws {
        let target = server.calls(path) + more
        let deadline = ContinuousClock.now + .seconds(90)
        while server.calls(path) < target {
            guard ContinuousClock.now < deadline else {
                Issue.record("no poll of \(path) within 90 s")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs a pipeline while `steps` runs, then stops it gracefully.
    static func running(_ text: String, _ steps: () async throws -> Void) async throws {
        let pipeline = try PipelineHarness(registry: registry()).pipeline(text)
        let task = Task { try await pipeline.run() }
        do {
            try await steps()
        } catch {
            pipeline.stop()
            _ = await task.result
            throw error
        }
        pipeline.stop()
        try await task.value
    }

    static func waitFor(_ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        while try !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 90 s")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func start(_ jobs: [StandInJob], list: StandInJobList, credentials: String? = nil) async throws -> KnimeStandInServer {
        let server = KnimeStandInServer(credentials: credentials)
        server.jobList = list
        jobs.forEach(server.add)
        try await server.start()
        return server
    }

    @Test("500 jobs ending over time, the collector restarted twice: 500 events, each id once")
    func restarts() async throws {
        let root = TestFiles.temporaryDirectory()
        let t0: Int64 = 1_800_000_000_000
        let jobs = Self.liveJobs(500, prefix: 1, from: 1_000, to: 9_000, now: t0)
        // The server's clock is moved by the test: jobs end exactly when it says, however slow the machine.
        let server = try await Self.start(jobs, list: StandInJobList(pageSize: 64, live: true, manualNow: t0))
        defer { Task { await server.stop() } }
        let text = Self.pipeline(root, server)
        try await Self.running(text) {
            try await Self.polls(server, more: 9)
            server.jobList.manualNow = jobs[99].finishedAt
            try await Self.waitFor { try Self.events(root).count >= 100 }
        }
        #expect(try Self.events(root).count == 100)
        server.jobList.manualNow = jobs[249].finishedAt  // 150 end while the collector is down
        try await Self.running(text) {
            try await Self.waitFor { try Self.events(root).count >= 250 }
            server.jobList.manualNow = jobs[399].finishedAt
            try await Self.waitFor { try Self.events(root).count >= 400 }
        }
        server.jobList.manualNow = jobs[499].finishedAt + 1
        try await Self.running(text) {
            try await Self.waitFor { try Self.events(root).count >= 500 }
            try await Self.polls(server, more: 18)  // two more polls: nothing else comes
        }

        let events = try Self.events(root)
        let ids = events.compactMap { $0["id"]?.stringValue }
        #expect(ids.count == 500, "\(ids.count) events")
        #expect(Set(ids).count == ids.count, "an id was emitted twice")
        #expect(Set(ids) == Set(jobs.map { KnimeJobEnd.eventID(jobID: $0.id, state: $0.state) }))
        let failed = events.filter { $0["action"]?["type"]?.stringValue == "EXECUTION_FAILED" }
        #expect(failed.count == 100 && failed.allSatisfy { $0["action"]?["outcome"]?.stringValue == "failure" })
    }

    @Test("knime_log and knime_jobs over the same 500 jobs give the same 500 ids")
    func sameIDsAsTheLog() async throws {
        let root = TestFiles.temporaryDirectory()
        let jobs = (1...500).map { StandInFixture.job($0, state: $0 % 7 == 0 ? "EXECUTION_CANCELLED" : "EXECUTION_FINISHED") }
        let server = try await Self.start(jobs, list: StandInJobList(pageSize: 200))
        defer { Task { await server.stop() } }
        try StandInTomcatLog.write(jobs, to: root + "/logs")
        let text = """
        { "name": "both", "data_dir": "\(root)/data", "queue_capacity": 4096,
          "sources": {
            "tomcat": { "type": "knime_log", "logs_dir": "\(root)/logs", "paths": ["localhost.*.log"], "timezone": "UTC",
                        "host": "node003", "poll_interval_ms": 50 },
            "hub": { "type": "knime_jobs", "interval_ms": 200, "server": { "url": "\(server.baseURL)" } } },
          "sinks": { "file": { "type": "file", "inputs": ["tomcat", "hub"], "path": "\(root)/out/audit.jsonl", "format": "json" } } }
        """
        _ = try await PipelineHarness(registry: Self.registry()).runUntilIdle(text, timeout: .seconds(120))
        let events = try Self.events(root)
        let fromLog = events.filter { $0["attributes"]?["logFile"] != nil }
        let fromREST = events.filter { $0["attributes"]?["logFile"] == nil }
        #expect(fromLog.count == 500 && fromREST.count == 500)
        let logIDs = Set(fromLog.compactMap { $0["id"]?.stringValue })
        let restIDs = Set(fromREST.compactMap { $0["id"]?.stringValue })
        #expect(logIDs.count == 500)
        #expect(logIDs == restIDs)
        // Same shape: actor, action, resource agree for each id.
        let logByID = Dictionary(uniqueKeysWithValues: fromLog.map { ($0["id"]!.stringValue!, $0) })
        for event in fromREST {
            let twin = try #require(logByID[event["id"]!.stringValue!])
            for key in ["actor", "action", "resource"] { #expect(event[key] == twin[key], "\(key) differs") }
            #expect(event["attributes"]?["jobId"] == twin["attributes"]?["jobId"])
        }
    }

    @Test("jobs discarded between polls after being seen running: VANISHED with what was known")
    func vanished() async throws {
        let root = TestFiles.temporaryDirectory()
        let t0: Int64 = 1_800_000_000_000
        let jobs = Self.liveJobs(20, prefix: 2, from: 1_500, to: 2_500, now: t0)
        let kept = Self.liveJobs(5, prefix: 5, from: 1_500, to: 2_500, now: t0)
        let server = try await Self.start(jobs, list: StandInJobList(live: true, discardAfterMilliseconds: 0, manualNow: t0))
        defer { Task { await server.stop() } }
        try await Self.running(Self.pipeline(root, server)) {
            try await Self.polls(server)  // seen running
            server.jobList.manualNow = t0 + 3_000
            kept.forEach(server.add)      // ended and discarded before any poll saw them: nothing to report
            try await Self.waitFor { try Self.events(root).count >= 20 }
            try await Self.polls(server)
        }
        let events = try Self.events(root)
        #expect(events.count == 20)
        for event in events {
            #expect(event["action"]?["type"]?.stringValue == "VANISHED")
            #expect(event["action"]?["outcome"]?.stringValue == "failure")
            let id = try #require(event["attributes"]?["jobId"]?.stringValue)
            let job = try #require(jobs.first { $0.id == id })
            #expect(event["id"]?.stringValue == KnimeJobEnd.eventID(jobID: id, state: "VANISHED"))
            #expect(event["actor"]?["id"]?.stringValue == job.owner)
            #expect(event["resource"]?["name"]?.stringValue == job.workflow)
            #expect(event["attributes"]?["lastState"]?.stringValue == "EXECUTING")
            #expect(event["attributes"]?["jobName"]?.stringValue == job.name)
        }
        #expect(Set(events.compactMap { $0["id"]?.stringValue }).count == 20)
    }

    @Test("executor clocks ±2 min off: nothing lost with the default skew window; a 1 s window loses ends")
    func clockSkew() async throws {
        let t0: Int64 = 1_800_000_000_000
        let skew: (Int) -> Int64 = { $0 % 2 == 0 ? 120_000 : -120_000 }
        let jobsA = Self.liveJobs(16, prefix: 3, from: 1_000, to: 16_000, now: t0, skew: skew)
        let jobsB = Self.liveJobs(16, prefix: 4, from: 1_000, to: 16_000, now: t0, skew: skew)
        let serverA = try await Self.start(jobsA, list: StandInJobList(live: true, manualNow: t0))
        let serverB = try await Self.start(jobsB, list: StandInJobList(live: true, manualNow: t0))
        defer { Task { await serverA.stop(); await serverB.stop() } }
        let rootA = TestFiles.temporaryDirectory()
        let rootB = TestFiles.temporaryDirectory()
        let pipelineA = try PipelineHarness(registry: Self.registry()).pipeline(Self.pipeline(rootA, serverA))
        let pipelineB = try PipelineHarness(registry: Self.registry()).pipeline(Self.pipeline(rootB, serverB, extra: "\"skew_ms\": 1000,"))
        let a = Task { try await pipelineA.run() }
        let b = Task { try await pipelineB.run() }
        // One job end per poll, in the order they really happen; their reported times are 2 min off either way.
        for index in jobsA.indices {
            serverA.jobList.manualNow = jobsA[index].finishedAt
            serverB.jobList.manualNow = jobsB[index].finishedAt
            try await Self.polls(serverA)
            try await Self.polls(serverB)
        }
        try await Self.waitFor { try Self.events(rootA).count >= 16 }
        pipelineA.stop()
        pipelineB.stop()
        try await a.value
        try await b.value
        let eventsA = try Self.events(rootA)
        #expect(eventsA.count == 16)
        #expect(Set(eventsA.compactMap { $0["id"]?.stringValue }).count == 16)
        // The window is what saves them: with 1 s, every end reported 2 min early after a 2 min late one is skipped.
        let eventsB = try Self.events(rootB)
        #expect(eventsB.count == 8, "\(eventsB.count)")
    }

    @Test("401: the source stops with an error naming the endpoint, never the credentials")
    func unauthorized() async throws {
        let root = TestFiles.temporaryDirectory()
        let server = try await Self.start([StandInFixture.job(1)], list: StandInJobList(), credentials: "auditor:right-pa55")
        defer { Task { await server.stop() } }
        var harness = PipelineHarness(registry: Self.registry())
        harness.environment = ["KNIME_PW": "wrong-pa55"]
        let text = Self.pipeline(root, server, credentials: #", "username": "auditor", "password": "${env:KNIME_PW}""#)
        do {
            _ = try await harness.runUntilIdle(text, timeout: .seconds(60))
            Issue.record("the pipeline should fail")
        } catch {
            let text = "\(error)"
            #expect(text.contains("401") && text.contains("GET /jobs/") && text.contains("credentials"), "\(text)")
            #expect(!text.contains("wrong-pa55") && !text.contains("right-pa55"))
        }
        #expect(server.calls("/jobs/") == 1, "a 401 is not retried")
        #expect(try Self.events(root).isEmpty)
    }

    @Test("Business Hub deployments, paged: every job end once; the checkpoint survives a restart")
    func deployments() async throws {
        let root = TestFiles.temporaryDirectory()
        var jobs = (1...30).map { StandInFixture.job($0) }
        for index in jobs.indices { jobs[index].deployment = index % 3 == 0 ? "rest:d1" : "rest:d2" }
        let server = try await Self.start(jobs, list: StandInJobList(pageSize: 7))
        defer { Task { await server.stop() } }
        let text = Self.pipeline(root, server, extra: #""endpoints": ["/deployments/rest:d1/jobs", "/deployments/rest:d2/jobs"],"#)
        try await Self.run(text, until: { try Self.events(root).count >= 30 })
        let calls = server.calls("/deployments/rest:d2/jobs")
        try await Self.run(text, until: { server.calls("/deployments/rest:d2/jobs") >= calls + 6 })
        let ids = try Self.events(root).compactMap { $0["id"]?.stringValue }
        #expect(ids.count == 30 && Set(ids).count == 30)
    }
}

@Suite("knime_jobs ledger")
struct KnimeJobsLedgerTests {
    static func job(_ id: String, _ state: String, finished: Int64?) -> KnimeJob {
        var fields: [(key: String, value: JSONValue)] = [("id", .string(id)), ("state", .string(state)), ("owner", .string("o"))]
        if let finished { fields.append(("finishedExecutionAt", .integer(finished))) }
        return KnimeJob(object: .object(fields), fallbackID: "")
    }

    @Test func onceInsideTheWindowNeverBelowIt() throws {
        var ledger = KnimeJobsLedger()
        let states = Set(KnimeJobEnd.defaultStates)
        let t: Int64 = 1_700_000_000_000
        var outcome = ledger.reconcile([Self.job("a", "EXECUTING", finished: nil), Self.job("b", "EXECUTION_FINISHED", finished: t)],
                                       complete: true, skewMilliseconds: 60_000, states: states)
        #expect(outcome.ends.map(\.job.id) == ["b"])
        #expect(ledger.watermark == t && ledger.running.keys.sorted() == ["a"])
        // b listed again: not emitted; c late by 30 s (inside the window): emitted; d late by 2 min: already handled.
        outcome = ledger.reconcile([Self.job("b", "EXECUTION_FINISHED", finished: t), Self.job("c", "EXECUTION_FAILED", finished: t - 30_000),
                                    Self.job("d", "EXECUTION_FINISHED", finished: t - 120_000)],
                                   complete: true, skewMilliseconds: 60_000, states: states)
        #expect(outcome.ends.map(\.job.id) == ["c"])
        #expect(outcome.vanished.map(\.id) == ["a"], "a left the listing before it was seen ended")
        let restored = try KnimeJobsLedger(checkpoint: ledger.checkpoint)
        #expect(restored == ledger)
        #expect(throws: CollectorError.self) { try KnimeJobsLedger(checkpoint: Checkpoint("{\"v\":2}")) }
    }

    @Test func anIncompleteListingNeitherVanishesNorMovesTheWatermark() {
        var ledger = KnimeJobsLedger(watermark: 1_000_000)
        ledger.running["r"] = .init(state: "EXECUTING")
        let outcome = ledger.reconcile([Self.job("n", "EXECUTION_FINISHED", finished: 2_000_000)], complete: false,
                                       skewMilliseconds: 0, states: Set(KnimeJobEnd.defaultStates))
        #expect(outcome.ends.count == 1 && outcome.vanished.isEmpty)
        #expect(ledger.watermark == 1_000_000 && ledger.running["r"] != nil)
    }
}

import Collector
import CollectorTestKit
import Foundation
import KnimeStandIn
import Testing

/// The chaos rig: a KNIME Tomcat log fed in real time and cut at random bytes, the KNIME stand-in
/// discarding each job some seconds after it finished, the real `collector` binary running
/// knime_log → knime_job → file + amq (both with disk buffers), SIGKILLed and restarted at random
/// moments, RabbitMQ stopped for a while, and the log copytruncated once. `scripts/chaos` runs it
/// full size; the test suite runs it shortened.
struct KnimeOutageRig {
    struct Plan: Sendable {
        var jobs = 1000
        var feedSeconds = 40.0
        var kills = 4
        /// Seconds after the feed starts when the broker stops, and for how long.
        var outageStart = 5.0
        var outageSeconds = 30.0
        var copytruncate = true
        /// Long enough for a debug build on a loaded 2-core machine to enrich a job before it goes.
        var discardAfterMilliseconds: Int64 = 20_000

        /// From CHAOS_JOBS, CHAOS_FEED_SECONDS, CHAOS_KILLS, CHAOS_OUTAGE_START, CHAOS_OUTAGE_SECONDS,
        /// CHAOS_DISCARD_MS when set.
        static func fromEnvironment(_ plan: Plan) -> Plan {
            let environment = ProcessInfo.processInfo.environment
            var plan = plan
            if let value = environment["CHAOS_JOBS"].flatMap(Int.init) { plan.jobs = value }
            if let value = environment["CHAOS_FEED_SECONDS"].flatMap(Double.init) { plan.feedSeconds = value }
            if let value = environment["CHAOS_KILLS"].flatMap(Int.init) { plan.kills = value }
            if let value = environment["CHAOS_OUTAGE_START"].flatMap(Double.init) { plan.outageStart = value }
            if let value = environment["CHAOS_OUTAGE_SECONDS"].flatMap(Double.init) { plan.outageSeconds = value }
            if let value = environment["CHAOS_DISCARD_MS"].flatMap(Int64.init) { plan.discardAfterMilliseconds = value }
            return plan
        }
    }

    struct Outcome {
        var summary: String
        var fileJobs: Int
        var queueJobs: Int
    }

    let plan: Plan
    let broker: AMQTestBroker
    let folder = PipelineHarness.temporaryDirectory("knime-chaos")

    static var binary: String {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let direct = folder.appendingPathComponent("collector").path
        if FileManager.default.isExecutableFile(atPath: direct) { return direct }
        return folder.deletingLastPathComponent().appendingPathComponent("collector").path
    }

    var output: String { folder + "/out/audit.jsonl" }

    func jobID(_ index: Int) -> String {
        "c4a05000-0000-4000-8000-" + String(format: "%012d", index)
    }

    /// Runs the plan; `duringOutage` is called once the broker is down and the feed is complete
    /// (for the outage test's check that the file got everything meanwhile).
    func run(duringOutageAfterFeed: (@Sendable () async throws -> Void)? = nil) async throws -> Outcome {
        let began = ContinuousClock.now
        try broker.purge()
        let logs = folder + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let server = KnimeStandInServer()
        try await server.start()
        defer { Task { await server.stop() } }

        // Jobs finish evenly over the feed, starting a few seconds from now (lines are written when their time comes).
        let start = Int64(Date().timeIntervalSince1970 * 1000) + 3_000
        let step = Int64(plan.feedSeconds * 1000) / Int64(max(plan.jobs, 1))
        let states = ["EXECUTION_FINISHED", "EXECUTION_FAILED", "EXECUTION_FINISHED", "EXECUTION_CANCELLED"]
        var lines: [(Int64, String)] = []
        for index in 0..<plan.jobs {
            let finished = start + Int64(index) * step
            let state = states[index % states.count]
            let job = StandInJob(id: jobID(index), name: "chaos \(index)", owner: "victor", state: state,
                                 workflow: "/Chaos/Workflow \(index % 13)", createdAt: finished - 3_000, startedAt: finished - 2_000,
                                 finishedAt: finished, errorNode: state == "EXECUTION_FAILED" ? "Node 1:2" : nil,
                                 errorMessage: state == "EXECUTION_FAILED" ? "Execute failed: chaos" : nil,
                                 behaviour: .discardedAfterFinish(milliseconds: plan.discardAfterMilliseconds), dateForm: index % 3)
            server.add(job)
            lines += StandInTomcatLog.lines(for: job)
        }
        lines.sort { $0.0 < $1.0 }
        let log = logs + "/" + StandInTomcatLog.fileName(milliseconds: start)
        FileManager.default.createFile(atPath: log, contents: nil)

        let pipeline = folder + "/chaos.json"
        try """
        { "name": "chaos", "data_dir": "\(folder)/data", "checkpoint_interval_ms": 200,
          "sources": { "log": { "type": "knime_log", "logs_dir": "\(logs)", "poll_interval_ms": 200, "timezone": "UTC", "host": "node003" } },
          "enrichers": { "job": { "type": "knime_job", "inputs": ["log"], "concurrency": 16,
                                  "server": { "url": "\(server.baseURL)", "retries": 2, "backoff_initial_ms": 50, "backoff_max_ms": 200,
                                              "read_timeout_ms": 5000 } } },
          "sinks": {
            "file": { "type": "file", "inputs": ["job"], "path": "\(output)", "buffer": { "type": "disk" } },
            "amq": { "type": "amq", "inputs": ["job"], "buffer": { "type": "disk" }, "retry": { "initial_ms": 100, "max_ms": 1000 },
                     "urls": ["\(broker.tlsURL)"], "address": "\(broker.address)", "username": "\(broker.user)",
                     "password": "${env:COLLECTOR_TEST_AMQP_PASSWORD}", "tls": { "ca_file": "\(broker.caFile)" },
                     "timeouts": { "open_ms": 2000, "settle_ms": 5000 }, "reconnect": { "initial_ms": 100, "max_ms": 1000 } } } }
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)

        let collector = CollectorProcess(binary: Self.binary, pipeline: pipeline, log: folder + "/collector.log")
        try collector.start()
        var kills = 0
        var truncated = false
        var outageDone = plan.outageSeconds <= 0
        var brokerDown = false
        var outageBegan: ContinuousClock.Instant?
        var checkedDuringOutage = false
        var brokerStart: Task<Void, any Error>?
        let feedStart = ContinuousClock.now
        let killTimes = (0..<plan.kills).map { _ in Double.random(in: 1...(plan.feedSeconds + 3)) }.sorted()
        var written = 0
        var carry: [UInt8] = []
        var lineIndex = 0
        defer {
            collector.kill()
            if brokerDown { try? broker.control("broker-start") }
        }
        // Feed, kill, stop the broker, truncate.
        while lineIndex < lines.count || !carry.isEmpty || !outageDone || kills < plan.kills || (plan.copytruncate && !truncated) {
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...250)))
            let elapsed = (ContinuousClock.now - feedStart) / .seconds(1)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var chunk = carry
            while lineIndex < lines.count, lines[lineIndex].0 <= now {
                chunk += Array((lines[lineIndex].1 + "\n").utf8)
                lineIndex += 1
            }
            // Cut anywhere (mid-line): the rest goes with the next chunk. Whole lines when it is time
            // to copytruncate (so that the cut is at a line end, as logrotate's would usually be).
            let truncateDue = plan.copytruncate && !truncated && lineIndex >= lines.count / 2
            let cut = lineIndex < lines.count && chunk.count > 1 && !truncateDue ? Int.random(in: 1...chunk.count) : chunk.count
            try append(log, Array(chunk[0..<cut]))
            carry = Array(chunk[cut...])
            written += cut
            if kills < plan.kills, elapsed >= killTimes[kills] {
                collector.kill()
                kills += 1
                try collector.start()
            }
            if !brokerDown, !outageDone, elapsed >= plan.outageStart {
                try broker.control("broker-stop")
                brokerDown = true
                outageBegan = .now
            }
            if brokerDown, let outageBegan {
                if lineIndex == lines.count, carry.isEmpty, !checkedDuringOutage, let duringOutageAfterFeed {
                    checkedDuringOutage = true
                    try await duringOutageAfterFeed()
                }
                if ContinuousClock.now - outageBegan >= .seconds(plan.outageSeconds) {
                    // Starting RabbitMQ can take many seconds on a loaded machine: the feed goes on meanwhile.
                    let broker = self.broker
                    brokerStart = Task.detached { _ = try broker.control("broker-start") }
                    brokerDown = false
                    outageDone = true
                }
            }
            // Copytruncate once, half-way, when the collector has caught up with the file.
            if truncateDue, carry.isEmpty {
                let doneJobs = lines[0..<lineIndex].filter { $0.1.contains("finished with state") }.count
                if fileJobIDs().count >= doneJobs {
                    try FileManager.default.copyItem(atPath: log, toPath: log + ".1")
                    #expect(truncate(log, 0) == 0)
                    truncated = true
                }
            }
        }
        try await brokerStart?.value
        // Let it finish: the last run exits once everything is delivered from the buffers.
        collector.kill()
        let final = try collector.runUntilIdle(timeoutSeconds: 300)
        #expect(final == 0, "the last run exits 0 (see \(folder)/collector.log)")

        // Checks.
        let expected = Set((0..<plan.jobs).map(jobID))
        let fileRecords = fileRecords()
        let messages = try broker.drain(idleSeconds: 5)
        var queueRecords: [(eventID: String, jobID: String, details: Bool)] = []
        for message in messages {
            for event in message.events {
                let job = event.info("jobId").first ?? ""
                let details = !event.info("jobState").isEmpty && event.info("enrichment_error").isEmpty
                queueRecords.append((message.id, job, details))
            }
        }
        let fileJobs = Set(fileRecords.map(\.jobID))
        let queueJobs = Set(queueRecords.map(\.jobID))
        #expect(fileJobs == expected, "file: \(expected.subtracting(fileJobs).count) jobs missing")
        #expect(queueJobs == expected, "queue: \(expected.subtracting(queueJobs).count) jobs missing")
        // Every duplicate carries the same event id.
        let fileIDs = Dictionary(grouping: fileRecords, by: \.jobID).mapValues { Set($0.map(\.eventID)) }
        let queueIDs = Dictionary(grouping: queueRecords, by: \.jobID).mapValues { Set($0.map(\.eventID)) }
        #expect(fileIDs.values.allSatisfy { $0.count == 1 }, "file: a job under two event ids")
        #expect(queueIDs.values.allSatisfy { $0.count == 1 }, "queue: a job under two event ids")
        #expect(Set(fileIDs.compactMap { $0.value.first }) == Set(queueIDs.compactMap { $0.value.first }))
        // Every job got its details (from before its discard), in the file and in the queue.
        let fileWithout = Set(fileRecords.filter { !$0.details }.map(\.jobID)).subtracting(fileRecords.filter(\.details).map(\.jobID))
        let queueWithout = Set(queueRecords.filter { !$0.details }.map(\.jobID)).subtracting(queueRecords.filter(\.details).map(\.jobID))
        #expect(fileWithout.isEmpty, "file: \(fileWithout.count) jobs without details, e.g. \(fileWithout.sorted().prefix(3))")
        #expect(queueWithout.isEmpty, "queue: \(queueWithout.count) jobs without details")
        // Jobs discarded while the broker was down: finished (plus the discard delay) within the outage.
        let discardedDuringOutage = (0..<plan.jobs).filter { index in
            let discardAt = (Double(Int64(index) * step + 3_000 + plan.discardAfterMilliseconds)) / 1000
            return discardAt > plan.outageStart && discardAt < plan.outageStart + plan.outageSeconds
        }.count
        let seconds = Int((ContinuousClock.now - began) / .seconds(1))
        let ok = fileJobs == expected && queueJobs == expected && fileWithout.isEmpty && queueWithout.isEmpty
            && fileIDs.values.allSatisfy { $0.count == 1 } && queueIDs.values.allSatisfy { $0.count == 1 }
        let summary = "chaos: \(ok ? "PASS" : "FAIL") jobs=\(plan.jobs) kills=\(kills) starts=\(collector.starts) "
            + "broker_down=\(Int(plan.outageSeconds))s copytruncate=\(truncated ? 1 : 0) "
            + "file=\(fileJobs.count) (+\(fileRecords.count - fileJobs.count) dup) queue=\(queueJobs.count) (+\(queueRecords.count - queueJobs.count) dup) "
            + "discarded_during_outage=\(discardedDuringOutage) without_details=\(fileWithout.count + queueWithout.count) "
            + "asked_after_discard=\(server.askedAfterDiscard.count) seconds=\(seconds)"
        print(summary)
        if ok { try? FileManager.default.removeItem(atPath: folder) }
        return Outcome(summary: summary, fileJobs: fileJobs.count, queueJobs: queueJobs.count)
    }

    func fileRecords() -> [(eventID: String, jobID: String, details: Bool)] {
        readLines(output).compactMap { line in
            guard let json = try? JSONParser.parse(line), let id = json["id"]?.stringValue,
                  let job = json["attributes"]?["jobId"]?.stringValue else { return nil }
            let details = json["attributes"]?["jobState"] != nil && json["attributes"]?["enrichment_error"] == nil
            return (id, job, details)
        }
    }

    func fileJobIDs() -> Set<String> { Set(fileRecords().map(\.jobID)) }

    func append(_ path: String, _ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_APPEND)
        guard fd >= 0 else { throw TestSetupError("cannot open \(path)") }
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}

/// The `collector run` child process of the rig.
final class CollectorProcess: @unchecked Sendable {
    let binary: String
    let pipeline: String
    let log: String
    private var process: Process?
    private(set) var starts = 0

    init(binary: String, pipeline: String, log: String) {
        self.binary = binary
        self.pipeline = pipeline
        self.log = log
        FileManager.default.createFile(atPath: log, contents: nil)
    }

    func start(_ extra: [String] = []) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--log-level", "warning"] + extra + [pipeline]
        process.standardOutput = FileHandle.nullDevice
        let handle = FileHandle(forWritingAtPath: log)
        handle?.seekToEndOfFile()
        process.standardError = handle
        try process.run()
        self.process = process
        starts += 1
    }

    func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Runs with `--exit-when-idle` until it exits; its status (SIGKILLed after the timeout).
    func runUntilIdle(timeoutSeconds: Double) throws -> Int32 {
        try start(["--exit-when-idle"])
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process?.isRunning == true, Date() < deadline { usleep(100_000) }
        if process?.isRunning == true {
            kill()
            return -1
        }
        return process?.terminationStatus ?? -1
    }
}

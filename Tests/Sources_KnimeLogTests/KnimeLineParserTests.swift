import Collector
import Foundation
import Testing
@testable import Sources_KnimeLog

/// Every line shape of REFERENCE.md, read by the byte-level parser.
@Suite struct KnimeLineParserTests {
    static let uuid = "f9ff25f9-6ac8-489b-ad8e-73c421f8b119"
    static let thread = "Distributed executor message handler for Envelope(deliveryTag=740, redeliver=false, exchange=knime-executor2server, routingKey=job.f9ff25f9-6ac8-489b-ad8e-73c421f8b119)"
    static let handler = "com.knime.enterprise.server.executor.msgq.StatusMessageHandler.updateJob"

    struct FinishedCase: Sendable, CustomStringConvertible {
        var label: String
        var line: String
        var name: String
        var owner: String
        var state: String
        var month: Int
        var description: String { label }
    }

    static let finishedCases: [FinishedCase] = [
        FinishedCase(label: "real seed line",
                     line: "25-Apr-2024 16:59:00.390 INFO [\(thread)] \(handler) Job: TestWorkflow 2024-04-25 16.58.53 (\(uuid)) of owner victor finished with state EXECUTION_FAILED",
                     name: "TestWorkflow 2024-04-25 16.58.53", owner: "victor", state: "EXECUTION_FAILED", month: 4),
        FinishedCase(label: "two-word owner",
                     line: "25-Apr-2024 16:59:00.390 INFO [\(thread)] \(handler) Job: Daily 2024-04-25 (\(uuid)) of owner Maria José finished with state EXECUTION_FINISHED",
                     name: "Daily 2024-04-25", owner: "Maria José", state: "EXECUTION_FINISHED", month: 4),
        FinishedCase(label: "job name with parentheses",
                     line: "25-Apr-2024 16:59:00.390 INFO [\(thread)] \(handler) Job: Monthly Close (v2) (copy) 2024-04-25 (\(uuid)) of owner ops finished with state EXECUTION_FINISHED",
                     name: "Monthly Close (v2) (copy) 2024-04-25", owner: "ops", state: "EXECUTION_FINISHED", month: 4),
        FinishedCase(label: "owner with parentheses and ') of owner'",
                     line: "25-Apr-2024 16:59:00.390 INFO [\(thread)] \(handler) Job: X (\(uuid)) of owner a) of owner b finished with state EXECUTION_FAILED",
                     name: "X", owner: "a) of owner b", state: "EXECUTION_FAILED", month: 4),
        FinishedCase(label: "failed with content",
                     line: "01-Dec-2024 00:00:00.000 INFO [\(thread)] \(handler) Job: W 1 (\(uuid)) of owner victor finished with state EXECUTION_FAILED_WITH_CONTENT",
                     name: "W 1", owner: "victor", state: "EXECUTION_FAILED_WITH_CONTENT", month: 12),
        FinishedCase(label: "cancelled",
                     line: "25-Apr-2024 16:59:00.390 INFO [\(thread)] \(handler) Job: W (\(uuid)) of owner victor finished with state EXECUTION_CANCELLED",
                     name: "W", owner: "victor", state: "EXECUTION_CANCELLED", month: 4),
        FinishedCase(label: "German month (CLDR)",
                     line: "03-März-2024 10:00:00.001 INFORMATION [\(thread)] \(handler) Job: W (\(uuid)) of owner victor finished with state LOAD_ERROR",
                     name: "W", owner: "victor", state: "LOAD_ERROR", month: 3),
        FinishedCase(label: "French month",
                     line: "14-févr.-2024 10:00:00.001 INFOS [\(thread)] \(handler) Job: W (\(uuid)) of owner victor finished with state VANISHED",
                     name: "W", owner: "victor", state: "VANISHED", month: 2),
        FinishedCase(label: "Spanish month",
                     line: "14-ene.-2024 10:00:00.001 INFO [\(thread)] \(handler) Job: W (\(uuid)) of owner victor finished with state NOT_EXECUTABLE",
                     name: "W", owner: "victor", state: "NOT_EXECUTABLE", month: 1),
        FinishedCase(label: "Italian month",
                     line: "14-mag-2024 10:00:00.001 INFO [\(thread)] \(handler) Job: W (\(uuid)) of owner victor finished with state DISCARDED",
                     name: "W", owner: "victor", state: "DISCARDED", month: 5),
        FinishedCase(label: "Dutch month, CRLF ending",
                     line: "14-mrt.-2024 10:00:00.001 INFO [\(thread)] \(handler) Job: W (\(uuid)) of owner victor finished with state EXECUTION_FINISHED\r",
                     name: "W", owner: "victor", state: "EXECUTION_FINISHED", month: 3),
    ]

    @Test(arguments: finishedCases)
    func finishedLine(_ c: FinishedCase) throws {
        guard case .record(.finished(let job)) = KnimeLineParser.parse(c.line) else {
            Issue.record("not read as finished: \(c.line)")
            return
        }
        #expect(job.jobId == Self.uuid)
        #expect(job.jobName == c.name)
        #expect(job.owner == c.owner)
        #expect(job.state == c.state)
        #expect(job.timestamp?.month == c.month)
        #expect(job.timestampText == String(c.line.prefix(while: { $0 != " " })) + " " + c.line.split(separator: " ")[1])
    }

    @Test func timestampFields() throws {
        let line = KnimeLineParserTests.finishedCases[0].line
        guard case .record(.finished(let job)) = KnimeLineParser.parse(line) else { Issue.record("no record"); return }
        #expect(job.timestamp == TomcatTimestamp(year: 2024, month: 4, day: 25, hour: 16, minute: 59, second: 0,
                                                 millisecond: 390, length: 24))
        let zone = ZoneOffsetCache(zone: try ZoneInfo.named("Europe/Madrid"))
        let time = zone.eventTime(try #require(job.timestamp))
        #expect(time.description == "2024-04-25T16:59:00.390+02:00")
        let winter = zone.eventTime(TomcatTimestamp(year: 2024, month: 1, day: 5, hour: 8, minute: 0, second: 0,
                                                    millisecond: 5, length: 24))
        #expect(winter.description == "2024-01-05T08:00:00.005+01:00")
        // The repeated hour when clocks go back: the earlier (summer) offset.
        let repeated = zone.eventTime(TomcatTimestamp(year: 2024, month: 10, day: 27, hour: 2, minute: 30, second: 0,
                                                      millisecond: 0, length: 24))
        #expect(repeated.description == "2024-10-27T02:30:00.000+02:00")
    }

    @Test(arguments: [
        ("Jan", 1), ("feb.", 2), ("März", 3), ("Mär", 3), ("mars", 3), ("mrt.", 3), ("avr.", 4), ("abr.", 4),
        ("Mai", 5), ("mei", 5), ("mag", 5), ("juin", 6), ("giu", 6), ("Juli", 7), ("juil.", 7), ("lug", 7),
        ("août", 8), ("ago.", 8), ("Sept.", 9), ("set", 9), ("Okt.", 10), ("ott", 10), ("out.", 10),
        ("nov.", 11), ("Dez.", 12), ("déc.", 12), ("dic.", 12), ("gen", 1), ("ene.", 1), ("janv.", 1), ("févr.", 2),
    ])
    func monthNames(_ name: String, _ month: Int) {
        var bytes = Array(name.utf8)
        let number = bytes.withUnsafeMutableBufferPointer { TomcatTimestamp.monthNumber(UnsafePointer($0.baseAddress!), count: $0.count) }
        #expect(number == month)
    }

    @Test func lifecycleLines() throws {
        let load = "25-Apr-2024 16:58:53.721 INFO [https-jsse-nio2-8443-exec-23] com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.loadWorkflow Loading workflow '/TeamA/TestWorkflow' for user 'victor'"
        #expect(KnimeLineParser.parse(load) == .record(.loadWorkflow(thread: "https-jsse-nio2-8443-exec-23",
                                                                      path: "/TeamA/TestWorkflow", user: "victor")))

        let desc = "/TeamA/TestWorkflow (TestWorkflow 2024-04-25 16.58.53; \(Self.uuid))"
        let executorLoad = "25-Apr-2024 16:58:53.727 INFO [https-jsse-nio2-8443-exec-23] com.knime.enterprise.server.executor.msgq.RabbitMQExecutorImpl.loadWorkflow Loading workflow '\(desc)' via executor group 'knime-jobs'"
        #expect(KnimeLineParser.parse(executorLoad) == .record(.jobMention(JobMention(
            job: JobKey(Self.uuid)!, path: "/TeamA/TestWorkflow", jobName: "TestWorkflow 2024-04-25 16.58.53",
            executor: nil, thread: "https-jsse-nio2-8443-exec-23"))))

        let execute = "25-Apr-2024 16:59:00.352 INFO [https-jsse-nio2-8443-exec-17] com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.execute Executing job '\(desc)' (UUID \(Self.uuid))"
        #expect(KnimeLineParser.parse(execute) == .record(.jobMention(JobMention(
            job: JobKey(Self.uuid)!, path: "/TeamA/TestWorkflow", jobName: "TestWorkflow 2024-04-25 16.58.53",
            executor: nil, thread: nil))))

        let assign = "25-Apr-2024 16:59:00.352 INFO [https-jsse-nio2-8443-exec-17] com.knime.enterprise.server.executor.msgq.RabbitMQExecutorImpl.execute Executing job '\(desc)' via executor group 'knime-jobs', executor '01f57cec-85de-496f-81d2-b24548e8f47e@node003.clearpeaks.com'"
        #expect(KnimeLineParser.parse(assign) == .record(.jobMention(JobMention(
            job: JobKey(Self.uuid)!, path: "/TeamA/TestWorkflow", jobName: "TestWorkflow 2024-04-25 16.58.53",
            executor: "01f57cec-85de-496f-81d2-b24548e8f47e@node003.clearpeaks.com", thread: nil))))

        let discard = "25-Apr-2024 16:59:11.277 INFO [KNIME-Job-Lifecycle-Handler_1] com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.discardInternal Discarding job '/Groups/tst_dev_application_knime_AP1_User/TestWorkflow (TestWorkflow 2024-04-18 16.54.05; f4660d17-5fbf-4440-a418-73772b6e86a6)' (UUID f4660d17-5fbf-4440-a418-73772b6e86a6)"
        #expect(KnimeLineParser.parse(discard) == .record(.discarded(JobKey("f4660d17-5fbf-4440-a418-73772b6e86a6")!)))
    }

    @Test func knownJobsAreNotReadAgain() {
        let desc = "/TeamA/TestWorkflow (TestWorkflow 2024-04-25 16.58.53; \(Self.uuid))"
        let execute = "25-Apr-2024 16:59:00.352 INFO [exec-17] com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.execute Executing job '\(desc)' (UUID \(Self.uuid))"
        #expect(KnimeLineParser.parse(Array(execute.utf8), known: { _ in true }) == .unrelated)
        let assign = "25-Apr-2024 16:59:00.352 INFO [exec-17] c.RabbitMQExecutorImpl.execute Executing job '\(desc)' via executor group 'knime-jobs', executor 'e@h'"
        #expect(KnimeLineParser.parse(Array(assign.utf8), known: { _ in true }) == .record(.jobMention(JobMention(
            job: JobKey(Self.uuid)!, path: nil, jobName: nil, executor: "e@h", thread: nil))))
    }

    @Test func pathsAndNamesWithParentheses() {
        let desc = "/Finance/Monthly Close (v2)/Load Ledger (Load Ledger (copy) 2024-04-25; \(Self.uuid))"
        let line = "25-Apr-2024 16:59:00.352 INFO [exec-1] com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.execute Executing job '\(desc)' (UUID \(Self.uuid))"
        guard case .record(.jobMention(let mention)) = KnimeLineParser.parse(line) else { Issue.record("no mention"); return }
        #expect(mention.path == "/Finance/Monthly Close (v2)/Load Ledger")
        #expect(mention.jobName == "Load Ledger (copy) 2024-04-25")
    }

    @Test(arguments: [
        "\tat com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.execute(WorkflowJobManagerImpl.java:412)",
        "\tat java.base/java.lang.Thread.run(Thread.java:840)",
        "Caused by: java.io.IOException: Job: x (\(uuid)) of owner y finished with state EXECUTION_FAILED (wrapped)",
        "25-Apr-2024 16:59:11.981 INFO [KNIME-Executor-Watchdog_1] com.knime.enterprise.server.util.ExecutorWatchdog.scheduleThreads Checking for vanished executors in 100000ms",
        "25-Apr-2024 16:59:11.981 INFO [exec-1] org.example.Foo.bar Listing 3 jobs for user 'anna' finished with status 200",
        "25-Apr-2024 16:59:11.981 INFO [exec-1] org.example.Foo.bar Something finished with state NOT A STATE X",
        "",
        "short",
    ])
    func unrelatedLines(_ line: String) {
        #expect(KnimeLineParser.parse(line) == .unrelated)
    }

    @Test func malformedLines() {
        // The marker but no job id: reported, not read. A broken timestamp or invalid UTF-8 is read (see BadDetailTests).
        let noId = "25-Apr-2024 16:59:00.390 INFO [t] c.m Job: W (not-a-uuid) of owner victor finished with state EXECUTION_FAILED"
        guard case .malformed = KnimeLineParser.parse(noId) else { Issue.record("expected malformed"); return }
        let badTime = "25-Foo-2024 16:59:00.390 INFO [t] c.m Job: W (\(Self.uuid)) of owner victor finished with state EXECUTION_FAILED"
        guard case .record(.finished(let job)) = KnimeLineParser.parse(badTime) else { Issue.record("expected a record"); return }
        #expect(job.timestamp == nil)
        #expect(job.timestampText == "")
        #expect(job.jobName == "W")
        #expect(job.owner == "victor")
    }

    @Test func trackerCorrelatesAndForgets() {
        let tracker = JobTracker(capacity: 16, expiryMilliseconds: 1000)
        tracker.observe(.loadWorkflow(thread: "t1", path: "/A", user: "victor"), time: 0)
        tracker.observe(.jobMention(JobMention(job: JobKey(Self.uuid)!, path: "/A", jobName: "A 1", executor: nil, thread: "t1")), time: 1)
        tracker.observe(.jobMention(JobMention(job: JobKey(Self.uuid)!, path: "/A", jobName: "A 1", executor: "e@h", thread: "t2")), time: 2)
        #expect(tracker.facts(JobKey(Self.uuid)!) == JobFacts(path: "/A", jobName: "A 1", user: "victor", executor: "e@h"))
        // Expiry by log time.
        tracker.observe(.loadWorkflow(thread: "t9", path: "/B", user: "x"), time: 5000)
        #expect(tracker.facts(JobKey(Self.uuid)!) == nil)
        // Capacity.
        for index in 0..<100 {
            tracker.observe(.jobMention(JobMention(job: JobKey(String(format: "00000000-0000-0000-0000-%012x", index))!, path: "/P", jobName: "n", executor: nil, thread: nil)), time: 6000)
        }
        #expect(tracker.count <= 16)
        #expect(tracker.facts(JobKey("00000000-0000-0000-0000-000000000063")!) != nil)
        #expect(tracker.facts(JobKey("00000000-0000-0000-0000-000000000000")!) == nil)
    }

    @Test func eventFields() throws {
        let line = KnimeLineParserTests.finishedCases[0].line
        guard case .record(.finished(let job)) = KnimeLineParser.parse(line) else { Issue.record("no record"); return }
        let builder = JobEventBuilder(host: "node003")
        let time = ZoneOffsetCache(zone: .utc).eventTime(try #require(job.timestamp))
        let facts = JobFacts(path: "/TeamA/TestWorkflow", jobName: job.jobName, user: "victor",
                             executor: "01f57cec@node003.clearpeaks.com")
        let event = builder.event(job, time: time, facts: facts, file: "/logs/localhost.2024-04-25.log", offset: 1234)
        // The recipe knime_jobs shares (KnimeJobEnd.eventID): job id and end state only.
        #expect(event.id == AuditEvent.deterministicID("knime-job-end", Self.uuid, "EXECUTION_FAILED"))
        #expect(event.time.description == "2024-04-25T16:59:00.390+00:00")
        #expect(event.actor.id == "victor")
        #expect(event.action == Action(type: "EXECUTION_FAILED", outcome: .failure))
        #expect(event.resource == Resource(type: "workflow", name: "/TeamA/TestWorkflow"))
        #expect(event.application == Application(name: "KNIME", component: "KNIME Server", host: "node003"))
        #expect(event.attributes.map(\.name) == ["jobId", "jobName", "user", "executor", "executorHost", "logFile", "logOffset"])
        #expect(event.attributes["executorHost"] == "node003.clearpeaks.com")
        #expect(event.attributes["logOffset"] == "1234")
        #expect(KnimeJobState.outcome("EXECUTION_CANCELLED") == .unavailable)
        #expect(KnimeJobState.outcome("EXECUTION_FINISHED") == .success)
        #expect(KnimeJobState.outcome("EXECUTION_FAILED_WITH_CONTENT") == .failure)
    }
}

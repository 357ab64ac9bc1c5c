import Collector
import CollectorTestKit
import Foundation
import Testing
@testable import Sources_KnimeLog

/// The source inside real pipelines: configuration checks, and the seed excerpt through the file sink.
@Suite struct KnimeLogPipelineTests {
    @Test func badSettingsAreNamedWithTheirPlace() {
        let harness = PipelineHarness(registry: testRegistry(recorder: EventRecorder()))
        let text = """
        { "name": "bad", "data_dir": "/tmp/never",
          "sources": { "log": { "type": "knime_log", "states": ["EXECUTION_FINISHED", "FINISHED"], "timezone": "Mars/Olympus",
                                "read_from": "middle", "max_line_bytes": 10, "pathz": [] } },
          "sinks": { "rec": { "type": "recording", "inputs": ["log"] } } }
        """
        do {
            _ = try harness.load(text)
            Issue.record("loaded a bad configuration")
        } catch {
            let message = "\(error)"
            #expect(message.contains("sources.log.states: \"FINISHED\" is not a KNIME job state"))
            #expect(message.contains("sources.log.timezone: \"Mars/Olympus\" is not a known time zone"))
            #expect(message.contains("sources.log.read_from: \"middle\" is not one of"))
            #expect(message.contains("sources.log.max_line_bytes: 10 is out of range"))
            #expect(message.contains("sources.log.pathz: unknown key (did you mean \"paths\"?)"))
        }
    }

    @Test func relativePathsAreUnderLogsDir() throws {
        let diagnostics = ConfigDiagnostics(file: "t")
        let section = ConfigSection(path: "sources.log", object: .object([
            ("logs_dir", .string("/srv/tomcat/logs/")), ("paths", .array([.string("catalina.*.log"), .string("/abs/x.log")])),
        ]), diagnostics: diagnostics)
        let configuration = KnimeLogSourceFactory().configuration(section)
        #expect(configuration.paths == ["/srv/tomcat/logs/catalina.*.log", "/abs/x.log"])
        #expect(configuration.readFromEnd == false)
        #expect(configuration.states == Set(KnimeJobState.defaultStates))
    }

    /// The log excerpt of the seed document (Figure 2), verbatim.
    static let figure2 = #"""
    25-Apr-2024 16:58:53.721 INFO [https-jsse-nio2-8443-exec-23] com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.loadWorkflow Loading workflow '/TeamA/TestWorkflow' for user 'victor'
    25-Apr-2024 16:58:53.727 INFO [https-jsse-nio2-8443-exec-23] com.knime.enterprise.server.executor.msgq.RabbitMQExecutorImpl.loadWorkflow Loading workflow '/TeamA/TestWorkflow (TestWorkflow 2024-04-25 16.58.53; f9ff25f9-6ac8-489b-ad8e-73c421f8b119)' via executor group 'knime-jobs'
    25-Apr-2024 16:59:00.351 INFO [https-jsse-nio2-8443-exec-17] com.knime.enterprise.server.executor.msgq.RabbitMQExecutorImpl.resetWorkflow Resetting workflow of job '/TeamA/TestWorkflow (TestWorkflow 2024-04-25 16.58.53; f9ff25f9-6ac8-489b-ad8e-73c421f8b119)' via executor group 'knime-jobs', executor '01f57cec-85de-496f-81d2-b24548e8f47e@node003.clearpeaks.com'
    25-Apr-2024 16:59:00.352 INFO [https-jsse-nio2-8443-exec-17] com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.execute Executing job '/TeamA/TestWorkflow (TestWorkflow 2024-04-25 16.58.53; f9ff25f9-6ac8-489b-ad8e-73c421f8b119)' (UUID f9ff25f9-6ac8-489b-ad8e-73c421f8b119)
    25-Apr-2024 16:59:00.352 INFO [https-jsse-nio2-8443-exec-17] com.knime.enterprise.server.executor.msgq.RabbitMQExecutorImpl.execute Executing job '/TeamA/TestWorkflow (TestWorkflow 2024-04-25 16.58.53; f9ff25f9-6ac8-489b-ad8e-73c421f8b119)' via executor group 'knime-jobs', executor '01f57cec-85de-496f-81d2-b24548e8f47e@node003.clearpeaks.com'
    25-Apr-2024 16:59:00.390 INFO [Distributed executor message handler for Envelope(deliveryTag=740, redeliver=false, exchange=knime-executor2server, routingKey=job.f9ff25f9-6ac8-489b-ad8e-73c421f8b119)] com.knime.enterprise.server.executor.msgq.StatusMessageHandler.updateJob Job: TestWorkflow 2024-04-25 16.58.53 (f9ff25f9-6ac8-489b-ad8e-73c421f8b119) of owner victor finished with state EXECUTION_FAILED
    25-Apr-2024 16:59:00.749 INFO [https-jsse-nio2-8443-exec-7] com.knime.enterprise.server.executor.msgq.RabbitMQExecutorImpl.doSendGenericRequest Sending generic message to job '/TeamA/TestWorkflow (TestWorkflow 2024-04-25 16.58.53; f9ff25f9-6ac8-489b-ad8e-73c421f8b119)' via executor group 'knime-jobs', executor '01f57cec-85de-496f-81d2-b24548e8f47e@node003.clearpeaks.com'
    25-Apr-2024 16:59:11.277 INFO [KNIME-Job-Lifecycle-Handler_1] com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.discardInternal Discarding job '/Groups/tst_dev_application_knime_AP1_User/TestWorkflow (TestWorkflow 2024-04-18 16.54.05; f4660d17-5fbf-4440-a418-73772b6e86a6)' (UUID f4660d17-5fbf-4440-a418-73772b6e86a6)
    25-Apr-2024 16:59:11.981 INFO [KNIME-Executor-Watchdog_1] com.knime.enterprise.server.util.ExecutorWatchdog.scheduleThreads Checking for vanished executors in 100000ms

    """#

    /// Figure 2 of the seed, as it is, through knime_log → file (knox): one event, every fact in it.
    @Test func seedExcerptThroughTheFileSink() async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-seed")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try append(folder + "/localhost.2024-04-25.log", Self.figure2)
        let harness = PipelineHarness(registry: testRegistry(recorder: EventRecorder()))
        _ = try await harness.runUntilIdle("""
        { "name": "seed", "data_dir": "\(folder)/data",
          "sources": { "log": { "type": "knime_log", "logs_dir": "\(folder)", "timezone": "Europe/Madrid", "host": "node003.clearpeaks.com" } },
          "sinks": { "archive": { "type": "file", "inputs": ["log"], "path": "\(folder)/out/audit.log", "format": "knox" } } }
        """)
        let lines = try String(contentsOfFile: folder + "/out/audit.log", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let line = String(lines.first ?? "")
        for fact in ["EXECUTION_FAILED", "|failure|", "|victor|", "|workflow|/TeamA/TestWorkflow|", "KNIME Server",
                     "jobId=f9ff25f9-6ac8-489b-ad8e-73c421f8b119", "jobName=TestWorkflow 2024-04-25 16.58.53", "user=victor",
                     "executorHost=node003.clearpeaks.com", "logOffset="] {
            #expect(line.contains(fact), "missing \(fact) in \(line)")
        }
        #expect(line.contains(AuditEvent.deterministicID("knime-job-end", "f9ff25f9-6ac8-489b-ad8e-73c421f8b119", "EXECUTION_FAILED")))
    }

    /// `read_from: end` skips history only on the very first start; its starting point is committed,
    /// so what is written while the collector is down is read after a restart.
    @Test func readFromEndSkipsOnlyOnTheFirstStart() async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-end")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = folder + "/localhost.2024-04-25.log"
        try append(log, LogLines.jobs(0..<3, salt: 20))
        let recorder = EventRecorder()
        let harness = PipelineHarness(registry: testRegistry(recorder: recorder))
        let text = """
        { "name": "end", "data_dir": "\(folder)/data",
          "sources": { "log": { "type": "knime_log", "logs_dir": "\(folder)", "read_from": "end", "timezone": "UTC" } },
          "sinks": { "rec": { "type": "recording", "inputs": ["log"] } } }
        """
        _ = try await harness.runUntilIdle(text)
        #expect(recorder.events.isEmpty)
        try append(log, LogLines.jobs(3..<5, salt: 20))
        _ = try await harness.runUntilIdle(text)
        #expect(Set(recorder.events.compactMap { $0.attributes["jobId"] }) == LogLines.ids(3..<5, salt: 20))
        #expect(recorder.events.count == 2)
    }
}

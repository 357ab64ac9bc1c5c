import Collector
import CollectorTestKit
import Foundation
import Sinks_File
import Sources_KnimeLog
import Testing

/// Writes KNIME Tomcat lines for tests: each job has its lifecycle lines, a stack trace and its
/// job-finished line; ids are deterministic per (salt, index).
enum LogLines {
    static let states = ["EXECUTION_FINISHED", "EXECUTION_FAILED", "EXECUTION_FAILED_WITH_CONTENT", "EXECUTION_CANCELLED",
                         "LOAD_ERROR", "NOT_EXECUTABLE", "DISCARDED", "VANISHED"]

    static func uuid(_ index: Int, salt: Int) -> String {
        String(format: "%08x-0000-4000-8000-%012x", salt, index)
    }

    static func job(_ index: Int, salt: Int, day: Int = 25) -> String {
        let id = uuid(index, salt: salt)
        let stamp = String(format: "%02d-Apr-2024 %02d:%02d:%02d.%03d", day, index / 3600 % 24, index / 60 % 60, index % 60, index % 1000)
        let desc = "/Team A/Flow (v\(index)) (Flow (v\(index)) 2024-04-\(day); \(id))"
        return """
        \(stamp) INFO [https-jsse-nio2-8443-exec-\(index % 7)] com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.loadWorkflow Loading workflow '/Team A/Flow (v\(index))' for user 'Maria José'
        \(stamp) INFO [https-jsse-nio2-8443-exec-\(index % 7)] com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.execute Executing job '\(desc)' (UUID \(id))
        \(stamp) SEVERE [exec] com.knime.Foo.bar Something failed
        \tat com.knime.Foo.bar(Foo.java:1)
        \tat java.base/java.lang.Thread.run(Thread.java:840)
        \(stamp) INFO [Distributed executor message handler for Envelope(deliveryTag=\(index), routingKey=job.\(id))] com.knime.enterprise.server.executor.msgq.StatusMessageHandler.updateJob Job: Flow (v\(index)) 2024-04-\(day) (\(id)) of owner Maria José finished with state \(states[index % states.count])

        """
    }

    static func jobs(_ range: Range<Int>, salt: Int, day: Int = 25) -> String {
        range.map { job($0, salt: salt, day: day) }.joined()
    }

    static func ids(_ range: Range<Int>, salt: Int) -> Set<String> {
        Set(range.map { uuid($0, salt: salt) })
    }
}

/// Appends text to a file (created when missing) with one write.
func append(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw CollectorError(.io, "cannot open", context: path) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    try bytes.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
}

func testRegistry(recorder: EventRecorder) -> ComponentRegistry {
    var registry = ComponentRegistry()
    registry.register(KnimeLogSourceFactory())
    registry.register(RecordingSinkFactory(recorder: recorder))
    registry.register(FileSinkFactory())
    return registry
}

/// A knime_log → recording pipeline running in the background for a rotation test.
final class RunningPipeline: Sendable {
    let recorder = EventRecorder()
    let pipeline: Pipeline
    let task: Task<Void, Error>

    init(folder: String, paths: [String], extra: String = "") throws {
        let harness = PipelineHarness(registry: testRegistry(recorder: recorder))
        let text = """
        { "name": "rotation", "data_dir": "\(folder)/data", "checkpoint_interval_ms": 20,
          "sources": { "log": { "type": "knime_log", "logs_dir": "\(folder)", "paths": [\(paths.map { "\"\($0)\"" }.joined(separator: ","))],
                                "poll_interval_ms": 5000, "timezone": "UTC", "host": "test" \(extra) } },
          "sinks": { "rec": { "type": "recording", "inputs": ["log"] } } }
        """
        pipeline = try harness.pipeline(text)
        let pipeline = self.pipeline
        task = Task { try await pipeline.run() }
    }

    /// The job ids of the events received so far.
    var jobIds: [String] { recorder.events.compactMap { $0.attributes["jobId"] } }

    /// Waits until `count` events arrived (true) or `timeout` passed (false).
    func waitFor(_ count: Int, timeout: Duration = .seconds(20)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if recorder.events.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func stop() async {
        pipeline.stop()
        _ = try? await task.value
    }
}

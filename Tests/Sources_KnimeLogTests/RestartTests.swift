import Collector
import CollectorTestKit
import Foundation
import Synchronization
import Tail
import Testing
@testable import Sources_KnimeLog

/// The collector stopped (cancelled or gracefully) at random points while the log is being written in
/// random pieces (so often mid-line) and while a slow sink holds events between write and
/// acknowledgement; restarted on the same data_dir each time. Every job reaches the sink; an event
/// comes again only when it had not been acknowledged, and with the same id.
@Suite("knime_log restarts", .serialized)
struct RestartTests {
    /// A long checkpoint interval leaves delivered events uncommitted at the stop: they come again.
    @Test(arguments: [(false, 10), (true, 10), (false, 400)])
    func stoppedAnywhereNothingLostNoAcknowledgedDuplicate(graceful: Bool, checkpointInterval: Int) async throws {
        let jobs = 400
        let folder = PipelineHarness.temporaryDirectory("knime-restart")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = folder + "/localhost.2024-04-25.log"
        let text = Array(LogLines.jobs(0..<jobs, salt: 11).utf8)
        let recorder = EventRecorder()
        let harness = PipelineHarness(registry: testRegistry(recorder: recorder))
        let pipelineText = """
        { "name": "restart", "data_dir": "\(folder)/data", "checkpoint_interval_ms": \(checkpointInterval), "queue_capacity": 16,
          "shutdown_grace_seconds": 0.05,
          "sources": { "log": { "type": "knime_log", "logs_dir": "\(folder)", "poll_interval_ms": 50,
                                "timezone": "UTC", "host": "test" } },
          "sinks": { "rec": { "type": "recording", "inputs": ["log"], "batch_size": 8, "delay_ms": 2 } } }
        """
        try append(log, "")
        // The writer: random pieces, cut anywhere.
        let finished = WriterFlag()
        let writer = Task {
            defer { finished.set() }
            var written = 0
            while written < text.count {
                let piece = min(text.count - written, Int.random(in: 1...6000))
                let fd = open(log, O_WRONLY | O_APPEND)
                _ = text[written..<(written + piece)].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                written += piece
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...4)))
            }
        }
        var acknowledged = Set<String>()
        var rounds = 0
        var done = false
        while !done && rounds < 80 {
            rounds += 1
            let writerDone = finished.isSet
            let before = recorder.events.count
            let pipeline = try harness.pipeline(pipelineText, options: RunOptions(exitWhenIdle: writerDone))
            let run = Task { try await pipeline.run() }
            if !writerDone || rounds < 10 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...80)))
                if graceful { pipeline.stop() } else { run.cancel() }
            }
            _ = try? await run.value
            // Nothing acknowledged before this round may come again.
            let again = recorder.events[before...].compactMap { $0.attributes["jobId"] }.filter(acknowledged.contains)
            #expect(again.isEmpty, "round \(rounds): acknowledged jobs delivered again: \(again.prefix(3))")
            // Everything the checkpoint covers was delivered.
            let offset = try committedOffset(folder: folder + "/data", log: log)
            let covered = finishedJobs(in: try Array(Data(contentsOf: URL(fileURLWithPath: log)))[0..<Int(offset)])
            let delivered = Set(recorder.events.compactMap { $0.attributes["jobId"] })
            #expect(covered.isSubset(of: delivered), "round \(rounds): checkpoint passed undelivered jobs")
            acknowledged = covered
            done = finished.isSet && delivered.count == jobs && offset == Int64(text.count)
        }
        _ = try? await writer.value
        let ids = recorder.events.compactMap { $0.attributes["jobId"] }
        #expect(done, "not finished after \(rounds) rounds")
        #expect(Set(ids) == LogLines.ids(0..<jobs, salt: 11))
        // Duplicates carry the same event id (and are the same event).
        let byJob = Dictionary(grouping: recorder.events, by: { $0.attributes["jobId"] ?? "" })
        #expect(byJob.values.allSatisfy { Set($0.map(\.id)).count == 1 && Set($0).count == 1 })
        print("restart test (graceful: \(graceful), checkpoint every \(checkpointInterval) ms): \(rounds) rounds, \(ids.count) events for \(jobs) jobs")
    }

    final class WriterFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        func set() { flag.store(true, ordering: .releasing) }
        var isSet: Bool { flag.load(ordering: .acquiring) }
    }

    func committedOffset(folder: String, log: String) throws -> Int64 {
        guard let saved = try CheckpointStore(dataDirectory: folder).load(source: "log")?.checkpoint,
              let decoded = TailCheckpoint.decode(saved) else { return 0 }
        var info = stat()
        stat(log, &info)
        return decoded.entries.first { $0.identity.inode == UInt64(info.st_ino) }?.offset ?? 0
    }

    /// Job ids of the complete job-finished lines in `bytes`.
    func finishedJobs(in bytes: ArraySlice<UInt8>) -> Set<String> {
        var out = Set<String>()
        for line in bytes.split(separator: 0x0A) {
            if case .record(.finished(let job)) = KnimeLineParser.parse(String(decoding: line, as: UTF8.self)) {
                out.insert(job.jobId)
            }
        }
        return out
    }
}

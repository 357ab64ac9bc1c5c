import Collector
import CollectorTestKit
import Foundation
import Tail
import Testing
@testable import Sources_KnimeLog

/// The real `collector` binary killed with SIGKILL at random points (mid-line, between the sink's
/// fsync and the checkpoint commit) while the log grows, and restarted on the same data_dir.
@Suite("knime_log: SIGKILL and restart of the real binary", .serialized)
struct KillRestartTests {
    static var binary: String {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let direct = folder.appendingPathComponent("collector").path
        if FileManager.default.isExecutableFile(atPath: direct) { return direct }
        return folder.deletingLastPathComponent().appendingPathComponent("collector").path
    }

    @Test func killedAnywhereEveryJobArrivesDuplicatesOnlyUnacknowledged() async throws {
        let jobs = 1500
        let folder = PipelineHarness.temporaryDirectory("knime-kill")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = folder + "/localhost.2024-04-25.log"
        let output = folder + "/out/audit.jsonl"
        let text = Array(LogLines.jobs(0..<jobs, salt: 13).utf8)
        let pipeline = folder + "/p.json"
        try """
        { "name": "kill", "data_dir": "\(folder)/data", "checkpoint_interval_ms": 20,
          "sources": { "log": { "type": "knime_log", "logs_dir": "\(folder)", "poll_interval_ms": 100, "timezone": "UTC", "host": "test" } },
          "sinks": { "out": { "type": "file", "inputs": ["log"], "path": "\(output)", "batch_size": 32 } } }
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        try append(log, "")
        var written = 0
        var committedBefore = Set<String>()
        var duplicates = 0
        var rounds = 0
        while rounds < 60 {
            rounds += 1
            let writerDone = written == text.count
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = ["run", "--log-level", "error"] + (writerDone ? ["--exit-when-idle"] : []) + [pipeline]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let linesBefore = wholeLines(output).count
            // Grow the log by a random piece (cut anywhere) while it runs, then kill it.
            let piece = min(text.count - written, Int.random(in: 20_000...120_000))
            if piece > 0 {
                let fd = open(log, O_WRONLY | O_APPEND)
                _ = text[written..<(written + piece)].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                written += piece
            }
            if !writerDone || rounds < 6 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...250)))
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
            let lines = wholeLines(output)
            let newJobs = lines[linesBefore...].compactMap(jobID)
            duplicates += newJobs.filter(committedBefore.contains).count
            // Jobs covered by the committed checkpoint were written (fsync'd) before it.
            let committed = try committedJobs(folder: folder + "/data", log: log)
            let delivered = Set(lines.compactMap(jobID))
            #expect(committed.isSubset(of: delivered), "round \(rounds): checkpoint passed jobs not in the file")
            #expect(Set(newJobs).isDisjoint(with: committedBefore),
                    "round \(rounds): a job acknowledged and committed before this run was written again")
            committedBefore = committed
            if writerDone && process.terminationReason == .exit && process.terminationStatus == 0 { break }
        }
        let lines = wholeLines(output)
        let ids = lines.compactMap(jobID)
        #expect(Set(ids) == LogLines.ids(0..<jobs, salt: 13), "after \(rounds) rounds")
        // A duplicate is the same record: same event id, same bytes.
        let byJob = Dictionary(grouping: lines, by: { jobID($0) ?? "" })
        #expect(byJob.values.allSatisfy { Set($0).count == 1 })
        print("kill test: \(rounds) rounds, \(lines.count) records for \(jobs) jobs (\(lines.count - jobs) duplicates)")
    }

    /// Whole records of the output (a record cut by the kill is dropped by the sink on its next start).
    func wholeLines(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var bytes = [UInt8](data)
        if let last = bytes.lastIndex(of: 0x0A) { bytes.removeSubrange((last + 1)...) } else { bytes.removeAll() }
        return bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
    }

    func jobID(_ line: String) -> String? {
        guard let range = line.range(of: #""jobId":""#) else { return nil }
        let rest = line[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    func committedJobs(folder: String, log: String) throws -> Set<String> {
        guard let saved = try CheckpointStore(dataDirectory: folder).load(source: "log")?.checkpoint,
              let decoded = TailCheckpoint.decode(saved) else { return [] }
        var info = stat()
        stat(log, &info)
        let offset = decoded.entries.first { $0.identity.inode == UInt64(info.st_ino) }?.offset ?? 0
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: log)))[0..<Int(offset)]
        var out = Set<String>()
        for line in bytes.split(separator: 0x0A) {
            if case .record(.finished(let job)) = KnimeLineParser.parse([UInt8](line)) { out.insert(job.jobId) }
        }
        return out
    }
}

import Collector
import CollectorTestKit
import Foundation
import Testing

/// Real files in temporary folders, real inotify (the poll interval is set to 5 s so that inotify
/// must do the waking): every case writes N jobs and expects exactly N events, each job once.
@Suite("knime_log rotation", .serialized)
struct RotationTests {
    /// Checks exactly the expected jobs arrived, each once, after giving stragglers time to show up.
    func expectExactly(_ running: RunningPipeline, _ expected: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) async {
        let arrived = await running.waitFor(expected.count)
        try? await Task.sleep(for: .milliseconds(400))
        let ids = running.jobIds
        #expect(arrived, "only \(ids.count) of \(expected.count) events arrived", sourceLocation: sourceLocation)
        #expect(ids.count == expected.count, "\(ids.count) events for \(expected.count) jobs", sourceLocation: sourceLocation)
        #expect(Set(ids) == expected, "missing: \(expected.subtracting(ids).sorted().prefix(5))", sourceLocation: sourceLocation)
    }

    @Test func dailyRolloverWithLateWritesToYesterday() async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-rollover")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let yesterday = folder + "/localhost.2024-04-25.log"
        let today = folder + "/localhost.2024-04-26.log"
        try append(yesterday, LogLines.jobs(0..<40, salt: 1))
        let running = try RunningPipeline(folder: folder, paths: ["localhost.*.log"])
        #expect(await running.waitFor(40))
        try append(today, LogLines.jobs(0..<30, salt: 2, day: 26))
        #expect(await running.waitFor(70))
        // Tomcat still appends a late record to yesterday's file after today's appeared.
        try append(yesterday, LogLines.jobs(40..<45, salt: 1))
        try append(today, LogLines.jobs(30..<50, salt: 2, day: 26))
        await expectExactly(running, LogLines.ids(0..<45, salt: 1).union(LogLines.ids(0..<50, salt: 2)))
        await running.stop()
    }

    @Test func renameAndCreate() async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-rename")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = folder + "/catalina.log"
        try append(live, LogLines.jobs(0..<25, salt: 3))
        let running = try RunningPipeline(folder: folder, paths: ["catalina.log"])
        #expect(await running.waitFor(25))
        // The writer still holds the old file: lines written to it right after the rename count too.
        let old = open(live, O_WRONLY | O_APPEND)
        rename(live, folder + "/catalina.log.1")
        let late = Array(LogLines.jobs(25..<30, salt: 3).utf8)
        _ = late.withUnsafeBytes { write(old, $0.baseAddress, $0.count) }
        close(old)
        try append(live, LogLines.jobs(30..<60, salt: 3))
        await expectExactly(running, LogLines.ids(0..<60, salt: 3))
        await running.stop()
    }

    @Test func renamedFileWhoseLastLineHasNoLineBreak() async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-unterminated")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = folder + "/catalina.log"
        try append(live, LogLines.jobs(0..<10, salt: 12))
        let running = try RunningPipeline(folder: folder, paths: ["catalina.log"])
        #expect(await running.waitFor(10))
        var last = LogLines.jobs(10..<12, salt: 12)
        last.removeLast() // the final line lacks its newline
        try append(live, last)
        rename(live, folder + "/catalina.log.1")
        try append(live, LogLines.jobs(12..<20, salt: 12))
        // Read once the renamed file has been gone for the grace (2 × poll_interval_ms = 10 s here).
        await expectExactly(running, LogLines.ids(0..<20, salt: 12))
        await running.stop()
    }

    @Test func copyTruncateWithTheCopyInsideThePattern() async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-copytruncate")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = folder + "/app.log"
        try append(live, LogLines.jobs(0..<20, salt: 4))
        let running = try RunningPipeline(folder: folder, paths: ["app.log*"])
        #expect(await running.waitFor(20))
        // More lines, then logrotate's copytruncate at once: copy (app.log.1 matches the pattern), truncate.
        try append(live, LogLines.jobs(20..<35, salt: 4))
        try FileManager.default.copyItem(atPath: live, toPath: folder + "/app.log.1")
        truncate(live, 0)
        try append(live, LogLines.jobs(35..<50, salt: 4))
        await expectExactly(running, LogLines.ids(0..<50, salt: 4))
        await running.stop()
    }

    @Test func truncationThenRewrite() async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-truncate")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = folder + "/localhost.2024-04-25.log"
        try append(live, LogLines.jobs(0..<30, salt: 5))
        let running = try RunningPipeline(folder: folder, paths: ["localhost.*.log"])
        #expect(await running.waitFor(30))
        truncate(live, 0)
        // More bytes than before: a size check alone would miss this; the fingerprint does not.
        try append(live, LogLines.jobs(30..<70, salt: 5))
        await expectExactly(running, LogLines.ids(0..<70, salt: 5))
        await running.stop()
    }

    @Test func rotatedFileDeletedWithUnreadBytes() async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-deleted")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = folder + "/localhost.2024-04-25.log"
        try append(live, LogLines.jobs(0..<10, salt: 6))
        let running = try RunningPipeline(folder: folder, paths: ["localhost.*.log"])
        #expect(await running.waitFor(10))
        // Appended and deleted at once: the open descriptor still reads the file to its end.
        try append(live, LogLines.jobs(10..<40, salt: 6))
        unlink(live)
        try append(folder + "/localhost.2024-04-26.log", LogLines.jobs(0..<5, salt: 7, day: 26))
        await expectExactly(running, LogLines.ids(0..<40, salt: 6).union(LogLines.ids(0..<5, salt: 7)))
        await running.stop()
    }

    @Test func inodeReusedByANewFile() async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-inode")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = folder + "/localhost.2024-04-25.log"
        try append(first, LogLines.jobs(0..<15, salt: 8))
        let running = try RunningPipeline(folder: folder, paths: ["localhost.*.log"])
        #expect(await running.waitFor(15))
        var before = stat()
        stat(first, &before)
        unlink(first)
        // After the grace the old file is let go; a new file (often on the freed inode) is read from its start.
        try await Task.sleep(for: .milliseconds(2600))
        try append(first, LogLines.jobs(0..<12, salt: 9))
        var after = stat()
        stat(first, &after)
        await expectExactly(running, LogLines.ids(0..<15, salt: 8).union(LogLines.ids(0..<12, salt: 9)))
        await running.stop()
        print("inode reuse test: old inode \(before.st_ino), new inode \(after.st_ino)")
    }

    @Test func partialLineWaitsAndOverLongAndInvalidLinesAreSkipped() async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-partial")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = folder + "/localhost.2024-04-25.log"
        let running = try RunningPipeline(folder: folder, paths: ["localhost.*.log"], extra: #", "max_line_bytes": 2048"#)
        let text = LogLines.job(0, salt: 10)
        let cut = text.utf8.count - 30
        try append(live, String(decoding: Array(text.utf8)[0..<cut], as: UTF8.self))
        try await Task.sleep(for: .milliseconds(300))
        #expect(running.recorder.events.isEmpty, "a half-written line must not be read")
        try append(live, String(decoding: Array(text.utf8)[cut...], as: UTF8.self))
        #expect(await running.waitFor(1))
        // An over-long line (skipped), an invalid UTF-8 finished line (read), then good jobs.
        try append(live, String(repeating: "x", count: 5000) + " finished with state EXECUTION_FAILED\n")
        var bad = Array(LogLines.job(1, salt: 10).utf8)
        bad[bad.lastIndex(of: UInt8(ascii: "J"))!] = 0xFF
        let fd = open(live, O_WRONLY | O_APPEND)
        _ = bad.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        try append(live, LogLines.jobs(2..<6, salt: 10))
        // The invalid UTF-8 line is read too (U+FFFD, flagged): no job end is dropped for a bad byte.
        await expectExactly(running, LogLines.ids(0..<6, salt: 10))
        await running.stop()
    }
}

import Collector
import CollectorTestKit
import Foundation
import Testing
@testable import Tail

/// The tailer on log4j size-rolled files (`x.log` → `x.log.1` … `x.log.7`, the oldest deleted), through a
/// real pipeline with checkpoints (real files, real inotify, a 5 s poll so inotify does the waking):
/// rolls while it runs and while it is stopped; every line arrives exactly once.
@Suite("tail: size-rolled files", .serialized)
struct SizeRolledTests {
    func expectExactly(_ running: LinePipeline, _ expected: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) async {
        let arrived = await running.waitFor(expected.count)
        try? await Task.sleep(for: .milliseconds(400))
        let tags = running.tags
        #expect(arrived, "only \(tags.count) of \(expected.count) lines arrived", sourceLocation: sourceLocation)
        #expect(tags.count == expected.count, "\(tags.count) events for \(expected.count) lines", sourceLocation: sourceLocation)
        #expect(Set(tags) == expected, "missing: \(expected.subtracting(tags).sorted().prefix(5))", sourceLocation: sourceLocation)
    }

    @Test func rolledWhileRunningAndWhileStoppedEveryLineOnce() async throws {
        let folder = PipelineHarness.temporaryDirectory("tail-rolled")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = folder + "/x.log"
        var written = 0
        func write(_ count: Int) throws {
            try append(live, Lines.text(written..<(written + count), tag: "l"))
            written += count
        }
        // Before the first start: a chain already exists (read oldest first).
        for _ in 0..<3 {
            try write(20)
            rollOver(live)
        }
        try write(10)
        let running = LinePipeline(folder: folder, paths: ["x.log*"])
        try running.start()
        #expect(await running.waitFor(written))
        #expect(running.tags == (0..<written).map { "l-\($0)" }, "older rolled files are read before newer ones")
        // Rolls while running, some with lines written right before the roll, one after another.
        for round in 0..<9 {
            try write(15)
            rollOver(live)
            // The chain keeps 7 rolled files: wait for the tailer every third roll so a loaded machine
            // cannot fall behind far enough for the oldest file to be deleted unread.
            if round % 3 == 2 { _ = await running.waitFor(written) }
        }
        try write(5)
        await expectExactly(running, Lines.ids(0..<written, tag: "l"))
        await running.stop()

        // Stopped: lines, three rolls (the checkpointed x.log is now x.log.3), lines.
        try write(12)
        rollOver(live)
        try write(7)
        rollOver(live)
        rollOver(live) // an empty x.log never existed: nothing moves but the chain
        try write(9)
        try running.start()
        await expectExactly(running, Lines.ids(0..<written, tag: "l"))
        await running.stop()

        // Stopped again, no change: a restart delivers nothing new.
        try running.start()
        try await Task.sleep(for: .milliseconds(500))
        await expectExactly(running, Lines.ids(0..<written, tag: "l"))
        let errors = running.capture.all.filter { $0.level >= .warning && $0.message.contains("LINES LOST") }
        #expect(errors.isEmpty, "\(errors)")
        await running.stop()
    }

    @Test func checkpointedFileRolledOutWhileStoppedIsReportedAsLoss() async throws {
        let folder = PipelineHarness.temporaryDirectory("tail-rolled-out")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = folder + "/x.log"
        try append(live, Lines.text(0..<10, tag: "a"))
        let running = LinePipeline(folder: folder, paths: ["x.log*"])
        try running.start()
        #expect(await running.waitFor(10))
        await running.stop()
        // Stopped: 5 more lines in the checkpointed file, then 8 rolls delete it (keep 7).
        try append(live, Lines.text(10..<15, tag: "a"))
        var expected = Lines.ids(0..<10, tag: "a")
        for roll in 0..<8 {
            rollOver(live)
            try append(live, Lines.text(0..<3, tag: "r\(roll)"))
            expected.formUnion(Lines.ids(0..<3, tag: "r\(roll)"))
        }
        // The 8th roll deleted x.log.7, the checkpointed file with a-10 … a-14 unread.
        try running.start()
        await expectExactly(running, expected)
        await running.stop()
        let losses = running.capture.all.filter { $0.level == .error && $0.message.contains("LOST") }
        #expect(losses.count == 1, "\(running.capture.all.map(\.message))")
        #expect(losses.first?.message.contains("file=\(live)") == true, "the loss names the file")
        #expect(losses.first?.message.contains("offset=\(Lines.text(0..<10, tag: "a").utf8.count)") == true, "and where reading stopped")
    }

    @Test func rollOrderReadsTheChainOldestFirst() {
        let now = timespec(tv_sec: 100, tv_nsec: 0)
        let paths = ["/l/x.log", "/l/x.log.1", "/l/x.log.10", "/l/x.log.2", "/l/localhost.2024-04-26.log", "/l/localhost.2024-04-25.log"]
        let times: [String: Int] = ["/l/localhost.2024-04-25.log": 50, "/l/localhost.2024-04-26.log": 60]
        let sorted = RollOrder.oldestFirst(paths, path: { $0 }, modified: { timespec(tv_sec: times[$0] ?? now.tv_sec, tv_nsec: 0) })
        #expect(sorted == ["/l/localhost.2024-04-25.log", "/l/localhost.2024-04-26.log", "/l/x.log.10", "/l/x.log.2", "/l/x.log.1", "/l/x.log"])
        #expect(RollOrder.chainKey("/l/a.log.2024-01-01").index == 0)
        #expect(RollOrder.chainKey("/l/a.log.7") == ("/l/a.log", 7))
    }
}

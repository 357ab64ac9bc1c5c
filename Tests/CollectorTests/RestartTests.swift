import Collector
import CollectorTestKit
import Foundation
import Testing

@Suite("Restarts: cancelled at random points, nothing lost")
struct RestartTests {
    /// Runs replay → file (json) and cancels it at random points, restarting on the same data_dir,
    /// until it finishes. Every event must be in the file; duplicates only with the same id.
    @Test(arguments: [false, true])
    func cancelledAndRestartedPipelinesLoseNothing(graceful: Bool) async throws {
        let count = 3_000
        let dataDir = PipelineHarness.temporaryDirectory()
        let file = dataDir + "/out/audit.jsonl"
        let harness = PipelineHarness(registry: testRegistry())
        let text = """
        { "name": "restart", "data_dir": "\(dataDir)", "checkpoint_interval_ms": 10, "queue_capacity": 32,
          "shutdown_grace_seconds": 0.05,
          "sources": { "in": { "type": "replay", "count": \(count), "batch_size": 10 } },
          "sinks": { "file": { "type": "file", "inputs": ["in"], "path": "\(file)", "batch_size": 16 } } }
        """
        var generator = SystemRandomNumberGenerator()
        var rounds = 0
        var finished = false
        while !finished {
            rounds += 1
            let pipeline = try harness.pipeline(text, options: RunOptions(exitWhenIdle: true))
            let run = Task { try await pipeline.run() }
            let delay = Int.random(in: 0...60, using: &generator)
            try await Task.sleep(for: .milliseconds(delay))
            if rounds < 12 {
                if graceful { pipeline.stop() } else { run.cancel() }
            }
            _ = try? await run.value
            let committed = ReplaySource.position(of: try CheckpointStore(dataDirectory: dataDir).load(source: "in")?.checkpoint)
            // What the checkpoint covers must be in the file (it was acknowledged, so fsync'd).
            let ids = Set(readLines(file).compactMap(jsonID))
            for index in 0..<committed {
                guard ids.contains(ReplaySource.sampleEvent(index).id) else {
                    Issue.record("event \(index) acknowledged (checkpoint \(committed)) but missing from the file")
                    return
                }
            }
            finished = committed == count
            if rounds > 40 { break }
        }
        #expect(finished, "pipeline did not finish in \(rounds) rounds")
        let lines = readLines(file)
        let ids = lines.compactMap(jsonID)
        #expect(ids.count == lines.count, "every line is a whole record")
        #expect(Set(ids) == Set((0..<count).map { ReplaySource.sampleEvent($0).id }))
        // Duplicates are whole copies of the same event (same id, same bytes).
        let byID = Dictionary(grouping: lines, by: { jsonID($0) ?? "" })
        #expect(byID.values.allSatisfy { Set($0).count == 1 })
    }
}

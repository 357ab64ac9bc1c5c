import Collector
import CollectorTestKit
import Foundation
import Logging
import Synchronization

/// Appends text to a file (created when missing) with one write.
func append(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw CollectorError(.io, "cannot open", context: path) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    try bytes.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
}

/// log4j's `DefaultRolloverStrategy` (max `keep`): `x.keep` deleted, `x.i` → `x.i+1`, `x` → `x.1`.
func rollOver(_ live: String, keep: Int = 7) {
    unlink("\(live).\(keep)")
    for index in stride(from: keep - 1, through: 1, by: -1) {
        rename("\(live).\(index)", "\(live).\(index + 1)")
    }
    rename(live, "\(live).1")
}

/// A source → recording pipeline that can be started and stopped again on the same data_dir.
final class RestartablePipeline: Sendable {
    let recorder = EventRecorder()
    let text: String
    let registry: ComponentRegistry
    private let running = Mutex<(Pipeline, Task<Void, Error>)?>(nil)

    init(registry: ComponentRegistry, text: String) {
        var registry = registry
        registry.register(RecordingSinkFactory(recorder: recorder))
        self.registry = registry
        self.text = text
    }

    func start() throws {
        let pipeline = try PipelineHarness(registry: registry).pipeline(text)
        let task = Task { try await pipeline.run() }
        running.withLock { $0 = (pipeline, task) }
    }

    func stop() async {
        guard let (pipeline, task) = running.withLock({ state in defer { state = nil }; return state }) else { return }
        pipeline.stop()
        _ = try? await task.value
    }

    func waitFor(_ count: Int, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if recorder.events.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Waits for `expected.count` events, then a little for stragglers; returns the values of `key`.
    func settle(_ count: Int, key: (AuditEvent) -> String?) async -> [String] {
        _ = await waitFor(count)
        try? await Task.sleep(for: .milliseconds(400))
        return recorder.events.compactMap(key)
    }
}

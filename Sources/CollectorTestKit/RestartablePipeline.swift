import Collector
import Synchronization

/// A source → recording pipeline that can be started and stopped again on the same data_dir.
public final class RestartablePipeline: Sendable {
    public let recorder = EventRecorder()
    public let text: String
    public let registry: ComponentRegistry
    private let running = Mutex<(Pipeline, Task<Void, Error>)?>(nil)

    public init(registry: ComponentRegistry, text: String) {
        var registry = registry
        registry.register(RecordingSinkFactory(recorder: recorder))
        self.registry = registry
        self.text = text
    }

    public func start() throws {
        let pipeline = try PipelineHarness(registry: registry).pipeline(text)
        let task = Task { try await pipeline.run() }
        running.withLock { $0 = (pipeline, task) }
    }

    public func stop() async {
        guard let (pipeline, task) = running.withLock({ state in defer { state = nil }; return state }) else { return }
        pipeline.stop()
        _ = try? await task.value
    }

    public func waitFor(_ count: Int, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if recorder.events.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Waits for `expected.count` events, then a little for stragglers; returns the values of `key`.
    public func settle(_ count: Int, key: (AuditEvent) -> String?) async -> [String] {
        _ = await waitFor(count)
        try? await Task.sleep(for: .milliseconds(400))
        return recorder.events.compactMap(key)
    }
}

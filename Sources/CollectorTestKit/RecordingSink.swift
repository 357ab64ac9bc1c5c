import Collector
import Synchronization

/// Keeps what test sinks received, shared between the test and the sinks it makes.
public final class EventRecorder: Sendable {
    private let state = Mutex<[AuditEvent]>([])
    private let writes = Mutex<Int>(0)
    private let available = Atomic<Bool>(true)
    private let concurrency = Mutex<(active: Int, most: Int)>((0, 0))

    public init() {}

    /// While false, every write of the sinks sharing this recorder fails with a retriable error
    /// (a destination that is down).
    public var isAvailable: Bool {
        get { available.load(ordering: .acquiring) }
        set { available.store(newValue, ordering: .releasing) }
    }

    public var events: [AuditEvent] { state.withLock { $0 } }
    public var ids: [String] { events.map(\.id) }
    public var writeCalls: Int { writes.withLock { $0 } }

    /// The most writes that were running at the same time.
    public var mostConcurrentWrites: Int { concurrency.withLock { $0.most } }

    func enterWrite() {
        concurrency.withLock { state in
            state.active += 1
            state.most = max(state.most, state.active)
        }
    }

    func leaveWrite() {
        concurrency.withLock { $0.active -= 1 }
    }

    func record(_ events: [AuditEvent]) {
        state.withLock { $0.append(contentsOf: events) }
    }

    func countWrite() -> Int {
        writes.withLock { count in
            count += 1
            return count
        }
    }
}

/// A sink that records what it accepts. With `failures`, the first `failures` writes throw a
/// retriable error; with `rejectAll`, every event is rejected for good; `rejectWhere` rejects the
/// events it matches; `delay` slows each write.
public struct RecordingSink: Sink {
    public let recorder: EventRecorder
    public var failures: Int
    public var rejectAll: Bool
    public var rejectWhere: (@Sendable (AuditEvent) -> Bool)?
    public var delay: Duration

    public init(recorder: EventRecorder, failures: Int = 0, rejectAll: Bool = false,
                rejectWhere: (@Sendable (AuditEvent) -> Bool)? = nil, delay: Duration = .zero) {
        self.recorder = recorder
        self.failures = failures
        self.rejectAll = rejectAll
        self.rejectWhere = rejectWhere
        self.delay = delay
    }

    public func write(_ events: [AuditEvent]) async throws -> SinkResult {
        let call = recorder.countWrite()
        recorder.enterWrite()
        defer { recorder.leaveWrite() }
        if delay > .zero { try await Task.sleep(for: delay) }
        if !recorder.isAvailable {
            throw CollectorError.retriable(.connection, "test destination is down", context: "recording sink")
        }
        if call <= failures {
            throw CollectorError.retriable(.connection, "test failure \(call) of \(failures)", context: "recording sink")
        }
        if rejectAll {
            throw CollectorError(.rejected, "rejected by the test sink", context: "recording sink")
        }
        var rejected: [SinkResult.Rejection] = []
        var accepted: [AuditEvent] = []
        for (index, event) in events.enumerated() {
            if rejectWhere?(event) == true {
                rejected.append(.init(index: index, reason: "rejected by the test predicate"))
            } else {
                accepted.append(event)
            }
        }
        recorder.record(accepted)
        return SinkResult(rejected: rejected)
    }
}

/// Registers `recording` sinks that share one recorder (keys: `failures`, `reject_all`, `delay_ms`).
public struct RecordingSinkFactory: SinkFactory {
    public let recorder: EventRecorder
    public let rejectWhere: (@Sendable (AuditEvent) -> Bool)?

    public init(recorder: EventRecorder, rejectWhere: (@Sendable (AuditEvent) -> Bool)? = nil) {
        self.recorder = recorder
        self.rejectWhere = rejectWhere
    }

    public var type: String { "recording" }
    public var summary: String { "records events in memory, can fail on command (test kit)" }

    public struct Configuration: Sendable {
        var failures: Int
        var rejectAll: Bool
        var delayMilliseconds: Int
    }

    public func configuration(_ config: ConfigSection) -> Configuration {
        Configuration(failures: config.int("failures", default: 0, range: 0...1_000_000, doc: "first writes that fail (retriable)"),
                      rejectAll: config.bool("reject_all", default: false, doc: "reject every event for good"),
                      delayMilliseconds: config.int("delay_ms", default: 0, range: 0...60_000))
    }

    public func makeSink(_ configuration: Configuration, context: ComponentContext) throws -> any Sink {
        RecordingSink(recorder: recorder, failures: configuration.failures, rejectAll: configuration.rejectAll,
                      rejectWhere: rejectWhere, delay: .milliseconds(configuration.delayMilliseconds))
    }
}

import Collector

/// A source that replays events made on demand: event `i` is `make(i)` for `i` in `0..<count`.
///
/// Its position is the index of the next event, so a restarted pipeline resumes after the last
/// acknowledged one. Emits in batches of `batchSize`; when done, reports idle and (unless
/// `keepRunning`) returns, which ends the pipeline once everything drained.
public struct ReplaySource: Source {
    public let count: Int
    public let batchSize: Int
    public let keepRunning: Bool
    public let make: @Sendable (Int) -> AuditEvent

    public init(count: Int, batchSize: Int = 64, keepRunning: Bool = false, make: @escaping @Sendable (Int) -> AuditEvent) {
        self.count = count
        self.batchSize = batchSize
        self.keepRunning = keepRunning
        self.make = make
    }

    public init(events: [AuditEvent], batchSize: Int = 64, keepRunning: Bool = false) {
        self.init(count: events.count, batchSize: batchSize, keepRunning: keepRunning) { events[$0] }
    }

    public static func position(of checkpoint: Checkpoint?) -> Int {
        checkpoint.flatMap { Int($0.text) } ?? 0
    }

    public func run(_ context: SourceContext) async throws {
        var next = Self.position(of: context.checkpoint)
        while next < count {
            try Task.checkCancellation()
            let end = min(count, next + batchSize)
            let batch = (next..<end).map { Emission(make($0), position: Checkpoint(String($0 + 1))) }
            try await context.emit(batch)
            next = end
        }
        context.setIdle(true)
        if keepRunning {
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// A plain event numbered `index`, with a deterministic id.
    public static func sampleEvent(_ index: Int, source: String = "replay") -> AuditEvent {
        AuditEvent(
            id: AuditEvent.deterministicID(source, String(index)),
            time: EventTime(millisecondsSinceEpoch: 1_714_057_140_390 + Int64(index), utcOffsetSeconds: 7200),
            actor: Actor(id: "victor", name: "victor"),
            action: Action(type: index % 5 == 0 ? "EXECUTION_FAILED" : "EXECUTION_FINISHED", outcome: index % 5 == 0 ? .failure : .success),
            resource: Resource(type: "workflow", name: "/TeamA/Workflow \(index % 97)"),
            application: Application(name: "KNIME", component: "KNIME Server", host: "node003.example.com"),
            attributes: ["jobId": "job-\(index)", "jobName": "Workflow \(index % 97) run \(index)"])
    }
}

/// Registers `replay` sources whose events come from the given closure (keys: `count`, `batch_size`,
/// `keep_running`).
public struct ReplaySourceFactory: SourceFactory {
    public let make: @Sendable (Int) -> AuditEvent

    public init(make: @escaping @Sendable (Int) -> AuditEvent = { ReplaySource.sampleEvent($0) }) {
        self.make = make
    }

    public var type: String { "replay" }
    public var summary: String { "replays numbered test events (test kit)" }

    public struct Configuration: Sendable {
        var count: Int
        var batchSize: Int
        var keepRunning: Bool
    }

    public func configuration(_ config: ConfigSection) -> Configuration {
        Configuration(count: config.int("count", default: 100, range: 0...Int(Int32.max), doc: "events to replay"),
                      batchSize: config.int("batch_size", default: 64, range: 1...100_000),
                      keepRunning: config.bool("keep_running", default: false, doc: "stay running (idle) after the last event"))
    }

    public func makeSource(_ configuration: Configuration, context: ComponentContext) throws -> any Source {
        ReplaySource(count: configuration.count, batchSize: configuration.batchSize,
                     keepRunning: configuration.keepRunning, make: make)
    }
}

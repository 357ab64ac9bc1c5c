import Collector
import Logging
import Synchronization

/// Writes events as rows, one row per event id, into SQLite or PostgreSQL.
///
/// `start()` opens the store and settles the table (`TableSetup`): a wrong mapping is refused there,
/// before anything is written, with its place in the pipeline file. `write` inserts a batch in one
/// transaction keyed by the event id (`ON CONFLICT DO NOTHING`, so replays add nothing) and returns
/// after the commit. A value that does not fit its column, or a row the database refuses (a
/// constraint other than the key), is rejected alone; the rest of the batch is stored.
public final class DatabaseSink: Sink {
    private let configuration: DatabaseSinkConfiguration
    private let store: any DatabaseStore
    private let logger: Logger
    private let plan = Mutex<InsertPlan?>(nil)

    public init(configuration: DatabaseSinkConfiguration, store: any DatabaseStore, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
    }

    public func start() async throws {
        if plan.withLock({ $0 }) != nil { return }
        try await store.open()
        let settled = try await TableSetup(configuration: configuration, store: store, logger: logger).plan()
        plan.withLock { $0 = settled }
    }

    public func write(_ events: [AuditEvent]) async throws -> SinkResult {
        guard let plan = plan.withLock({ $0 }) else {
            throw CollectorError.retriable(.io, "the database sink has not started")
        }
        var rows: [InsertRow] = []
        var batchIndexes: [Int] = []
        var rejected: [SinkResult.Rejection] = []
        var seen = Set<String>()
        rows.reserveCapacity(events.count)
        batchIndexes.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            // The same id twice in one batch: one row (the first), both acknowledged.
            guard seen.insert(event.id).inserted else { continue }
            do {
                rows.append(try plan.row(for: event))
                batchIndexes.append(index)
            } catch {
                rejected.append(SinkResult.Rejection(index: index, reason: "\(plan.table): \(error.description)"))
            }
        }
        let refused = try await store.insert(rows, plan: plan)
        for (row, reason) in refused.sorted(by: { $0.key < $1.key }) {
            rejected.append(SinkResult.Rejection(index: batchIndexes[row], reason: "\(plan.table): \(reason)"))
        }
        return SinkResult(rejected: rejected)
    }

    public func shutdown() async {
        await store.close()
    }
}

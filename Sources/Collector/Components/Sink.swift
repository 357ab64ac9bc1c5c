/// Delivers events to a destination.
///
/// The engine calls `write` with batches of up to `batch_size` events, from up to `in_flight` tasks
/// at once (common keys of every sink; `in_flight` defaults to the factory's `defaults`, 1 unless
/// the sink type says otherwise). The events come from the sink's buffer (`buffer`: memory or disk);
/// acknowledgement to the sources stays in order whatever order the writes finish in.
public protocol Sink: Sendable {
    /// Called once before the first write. May do I/O; a retriable error is retried by the engine.
    func start() async throws

    /// Returns only when the destination has durably accepted every event of the batch that the
    /// result does not list as rejected (AMQP `accepted`, Kafka delivery report, data fsync'd).
    ///
    /// Throw a `CollectorError` with `isRetriable == true` to have the whole batch written again
    /// later (with backoff); any other error sends the whole batch to the dead-letter file.
    func write(_ events: [AuditEvent]) async throws -> SinkResult

    /// Flushes and closes. Idempotent; safe without `start()`.
    func shutdown() async
}

extension Sink {
    public func start() async throws {}
    public func shutdown() async {}
}

/// What a sink says of a batch it did not fail as a whole.
public struct SinkResult: Sendable, Equatable {
    /// Events the destination refused for good; they go to the dead-letter file with the reason.
    public var rejected: [Rejection]

    public init(rejected: [Rejection] = []) { self.rejected = rejected }

    public static let accepted = SinkResult()

    public struct Rejection: Sendable, Equatable {
        /// Index in the batch passed to `write`.
        public var index: Int
        public var reason: String

        public init(index: Int, reason: String) {
            self.index = index
            self.reason = reason
        }
    }
}

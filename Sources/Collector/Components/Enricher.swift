/// Adds facts to events, for example from a REST API.
///
/// The engine calls `enrich` for up to `concurrency` events at once (a common key of every enricher),
/// so one slow event does not hold back the others. Results may leave out of order; checkpoints still
/// advance in source order.
public protocol Enricher: Sendable {
    /// Called once before the first event. May do I/O. Throwing stops the pipeline before it starts.
    func start() async throws

    /// Returns the event with what was learnt, or nil to drop it on purpose (which acknowledges it).
    ///
    /// A lookup that fails should not throw: add an `enrichment_error` attribute and return the event,
    /// since an audit event is never dropped because its details could not be fetched. If it throws
    /// anyway, the engine does exactly that with the error's description.
    func enrich(_ event: AuditEvent) async throws -> AuditEvent?

    /// Idempotent; safe without `start()`.
    func shutdown() async
}

extension Enricher {
    public func start() async throws {}
    public func shutdown() async {}
}

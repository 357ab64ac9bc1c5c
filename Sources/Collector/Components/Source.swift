import Logging

/// Produces events, for example by tailing a log file.
///
/// `run` is called once, on its own task. It returns when the input has ended for good (a replay
/// finished) and throws `CancellationError` (or returns) when the task is cancelled, which is how the
/// engine asks a source to stop. Everything a source emits is acknowledged to it through the engine's
/// checkpoint: it never commits a position itself.
public protocol Source: Sendable {
    func run(_ context: SourceContext) async throws
}

/// A source's position: opaque bytes the source encodes and decodes; the engine stores them in the
/// checkpoint store once every event up to this position is acknowledged.
public struct Checkpoint: Sendable, Hashable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// An event together with the source position just after it.
public struct Emission: Sendable {
    public var event: AuditEvent
    /// The position to resume from once this event, and every earlier one, is acknowledged.
    public var position: Checkpoint

    public init(_ event: AuditEvent, position: Checkpoint) {
        self.event = event
        self.position = position
    }
}

/// What a running source uses to hand events to the pipeline.
///
/// Thread-safe. `emit` suspends while the downstream queues are full (back-pressure) and throws
/// `CancellationError` once the pipeline is stopping; an event whose `emit` threw may or may not have
/// been delivered, and the checkpoint never passes it unless it was acknowledged.
public struct SourceContext: Sendable {
    public let name: String
    public let logger: Logger
    /// The last committed position, or nil when the source has never committed one.
    public let checkpoint: Checkpoint?
    let port: SourcePort

    init(name: String, logger: Logger, checkpoint: Checkpoint?, port: SourcePort) {
        self.name = name
        self.logger = logger
        self.checkpoint = checkpoint
        self.port = port
    }

    /// Hands events to the pipeline, in order.
    public func emit(_ emissions: [Emission]) async throws {
        try await port.emit(emissions)
    }

    public func emit(_ event: AuditEvent, position: Checkpoint) async throws {
        try await port.emit([Emission(event, position: position)])
    }

    /// Records that the input up to `position` held no (further) events, so the checkpoint may move
    /// there once everything emitted before is acknowledged. Cheap: call it once per chunk read.
    public func advance(to position: Checkpoint) {
        port.advance(to: position)
    }

    /// Tells the engine whether the source has reached the end of its input for now (`collector run
    /// --exit-when-idle` ends once every source is idle and every event is acknowledged).
    public func setIdle(_ idle: Bool) {
        port.setIdle(idle)
    }
}

/// Events a sink got from its buffer, and what acknowledging them releases.
struct SinkBatch: Sendable {
    enum Release: Sendable {
        /// Memory buffer: the events' acknowledgement tokens (upstream waits for the sink).
        case tokens([AckToken])
        /// Disk buffer: records of the write-ahead log (upstream was acknowledged when they were written).
        case records(DiskBuffer.Batch)
    }

    var events: [AuditEvent]
    let release: Release
}

/// What a sink reads from: its memory queue or its disk buffer.
protocol SinkFeed: Sendable {
    /// Up to `max` events, waiting for at least one; nil when the feed has ended.
    func next(max: Int) async -> SinkBatch?
    /// The sink has delivered (or dead-lettered) the batch.
    func acknowledge(_ batch: SinkBatch)
    /// True once nothing more comes in and what is left is kept durably for the next run: when the
    /// pipeline is stopping, a sink that cannot deliver then stops instead of retrying.
    var keepsRest: Bool { get }
}

/// The memory buffer: the queue in front of the sink.
struct MemoryFeed: SinkFeed {
    let queue: EventQueue

    func next(max: Int) async -> SinkBatch? {
        guard let envelopes = await queue.receive(max: max) else { return nil }
        return SinkBatch(events: envelopes.map(\.event), release: .tokens(envelopes.map(\.token)))
    }

    func acknowledge(_ batch: SinkBatch) {
        if case .tokens(let tokens) = batch.release { for token in tokens { token.release() } }
    }

    var keepsRest: Bool { false }
}

/// The disk buffer, filled by `DiskBufferWriter`.
struct DiskFeed: SinkFeed {
    let buffer: DiskBuffer

    func next(max: Int) async -> SinkBatch? {
        guard let batch = await buffer.next(max: max) else { return nil }
        return SinkBatch(events: batch.events, release: .records(batch))
    }

    func acknowledge(_ batch: SinkBatch) {
        if case .records(let records) = batch.release { buffer.acknowledge(records) }
    }

    var keepsRest: Bool { buffer.writerFinished }
}

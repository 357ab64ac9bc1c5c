import Synchronization

/// The engine side of a `SourceContext`: registers emitted events with the tracker and hands them to
/// every downstream queue.
final class SourcePort: Sendable {
    let tracker: AckTracker
    private let outputs: [EventQueue]
    private let idle = Atomic<Bool>(false)
    private let emitted = Atomic<Int>(0)

    init(tracker: AckTracker, outputs: [EventQueue]) {
        self.tracker = tracker
        self.outputs = outputs
    }

    func emit(_ emissions: [Emission]) async throws {
        guard !emissions.isEmpty else { return }
        try Task.checkCancellation()
        idle.store(false, ordering: .relaxed)
        var envelopes: [Envelope] = []
        envelopes.reserveCapacity(emissions.count)
        for emission in emissions {
            let sequence = tracker.register(position: emission.position)
            let token = AckToken(tracker: tracker, sequence: sequence, copies: outputs.count)
            if outputs.isEmpty { token.release() }
            envelopes.append(Envelope(event: emission.event, token: token))
        }
        emitted.add(emissions.count, ordering: .relaxed)
        for output in outputs { try await output.send(envelopes) }
    }

    func advance(to position: Checkpoint) {
        tracker.advance(to: position)
    }

    func setIdle(_ value: Bool) {
        idle.store(value, ordering: .relaxed)
    }

    var isIdle: Bool { idle.load(ordering: .relaxed) }
    var emittedCount: Int { emitted.load(ordering: .relaxed) }

    func finish() {
        idle.store(true, ordering: .relaxed)
        for output in outputs { output.finishProducer() }
    }
}

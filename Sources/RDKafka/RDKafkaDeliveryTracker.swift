import Synchronization

/// Matches delivery reports to the batches waiting for them, by a per-message sequence number that
/// travels through librdkafka as the message opaque.
///
/// Thread-safe: `deliver` is called on the poll thread, the rest from tasks. Continuations are
/// resumed outside the lock.
final class RDKafkaDeliveryTracker: Sendable {
    typealias Results = [Result<RDKafkaDelivery, RDKafkaError>]

    private struct Batch {
        var results: [Result<RDKafkaDelivery, RDKafkaError>?]
        var remaining: Int
        var continuation: CheckedContinuation<Results, Never>?
    }

    private struct State {
        var nextBatch: UInt64 = 0
        var nextSequence: UInt = 1
        var batches: [UInt64: Batch] = [:]
        var owners: [UInt: (batch: UInt64, index: Int)] = [:]
    }

    private let state = Mutex(State())

    /// Opens a batch of `count` messages.
    func open(count: Int) -> UInt64 {
        state.withLock { state in
            state.nextBatch += 1
            state.batches[state.nextBatch] = Batch(results: Array(repeating: nil, count: count), remaining: count)
            return state.nextBatch
        }
    }

    /// A sequence number for message `index` of `batch`, to pass as the message opaque.
    func register(batch: UInt64, index: Int) -> UInt {
        state.withLock { state in
            let sequence = state.nextSequence
            state.nextSequence &+= 1
            if state.nextSequence == 0 { state.nextSequence = 1 }
            state.owners[sequence] = (batch, index)
            return sequence
        }
    }

    /// Forgets a sequence whose message was not produced (it will be registered again).
    func unregister(_ sequence: UInt) {
        _ = state.withLock { $0.owners.removeValue(forKey: sequence) }
    }

    /// Records the outcome of the message with this sequence (a delivery report, or a produce call
    /// that failed at once). Unknown sequences are ignored.
    func deliver(_ sequence: UInt, _ result: Result<RDKafkaDelivery, RDKafkaError>) {
        let finished: (CheckedContinuation<Results, Never>, Results)? = state.withLock { state in
            guard let owner = state.owners.removeValue(forKey: sequence),
                  var batch = state.batches[owner.batch], batch.results[owner.index] == nil else { return nil }
            batch.results[owner.index] = result
            batch.remaining -= 1
            if batch.remaining == 0, let continuation = batch.continuation {
                state.batches[owner.batch] = nil
                return (continuation, batch.results.map { $0! })
            }
            state.batches[owner.batch] = batch
            return nil
        }
        if let finished { finished.0.resume(returning: finished.1) }
    }

    /// Waits until every message of the batch has its outcome, then forgets the batch.
    func wait(batch id: UInt64) async -> Results {
        await withCheckedContinuation { continuation in
            let ready: Results? = state.withLock { state in
                guard var batch = state.batches[id] else { return [] }
                if batch.remaining == 0 {
                    state.batches[id] = nil
                    return batch.results.map { $0! }
                }
                batch.continuation = continuation
                state.batches[id] = batch
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Fails every message still waiting (the producer is closing); returns how many there were.
    @discardableResult
    func failAll(_ error: RDKafkaError) -> Int {
        let sequences = state.withLock { Array($0.owners.keys) }
        for sequence in sequences { deliver(sequence, .failure(error)) }
        return sequences.count
    }
}

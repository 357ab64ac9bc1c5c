/// Messages handed to the proton thread by one `send` call, and the continuation waiting for them.
///
/// After submission only the proton thread touches it (hence `@unchecked Sendable`).
final class ProtonBatch: @unchecked Sendable {
    let messages: [ProtonMessage]
    let deadline: Int64
    private var outcomes: [ProtonOutcome?]
    private var remaining: Int
    private(set) var isFinished = false
    private let continuation: CheckedContinuation<[ProtonOutcome], any Error>

    init(messages: [ProtonMessage], deadline: Int64, continuation: CheckedContinuation<[ProtonOutcome], any Error>) {
        self.messages = messages
        self.deadline = deadline
        self.outcomes = Array(repeating: nil, count: messages.count)
        self.remaining = messages.count
        self.continuation = continuation
    }

    /// Records the final outcome of one message; resumes the caller once every message has one.
    func settle(_ index: Int, _ outcome: ProtonOutcome) {
        guard !isFinished, outcomes[index] == nil else { return }
        outcomes[index] = outcome
        remaining -= 1
        if remaining == 0 {
            isFinished = true
            continuation.resume(returning: outcomes.map { $0! })
        }
    }

    /// Fails the whole batch (the caller sends it again later); later settlements are ignored.
    func fail(_ error: ProtonError) {
        guard !isFinished else { return }
        isFinished = true
        continuation.resume(throwing: error)
    }

    var unsettledCount: Int { remaining }

    /// Completes a batch without messages (a readiness waiter).
    func finishEmpty() {
        guard !isFinished, messages.isEmpty else { return }
        isFinished = true
        continuation.resume(returning: [])
    }
}

/// One message of a batch, waiting to be sent or in flight.
struct ProtonItem {
    let batch: ProtonBatch
    let index: Int
    var message: ProtonMessage { batch.messages[index] }
}

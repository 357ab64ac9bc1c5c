import DequeModule
import Synchronization

/// What travels between pipeline stages: an event and the token that acknowledges it.
struct Envelope: Sendable {
    var event: AuditEvent
    let token: AckToken
}

/// A bounded multi-producer, single-consumer queue between two stages.
///
/// `send` suspends while the queue holds `capacity` or more events (back-pressure) and throws
/// `CancellationError` if its task is cancelled meanwhile. The queue ends when every producer has
/// called `finishProducer()`; `receive` then drains what is left and returns nil.
final class EventQueue: Sendable {
    private struct State {
        var buffer: Deque<Envelope> = []
        var producers: Int
        var consumer: CheckedContinuation<Void, Never>?
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var cancelledWaiters: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0
        var consumerCancelled = false
    }

    let capacity: Int
    private let state: Mutex<State>

    init(capacity: Int, producers: Int) {
        self.capacity = capacity
        self.state = Mutex(State(producers: producers))
    }

    var count: Int { state.withLock { $0.buffer.count } }

    func send(_ items: [Envelope]) async throws {
        guard !items.isEmpty else { return }
        while true {
            try Task.checkCancellation()
            let consumer: CheckedContinuation<Void, Never>?? = state.withLock { state in
                guard state.buffer.count < capacity else { return .none }
                state.buffer.append(contentsOf: items)
                defer { state.consumer = nil }
                return .some(state.consumer)
            }
            if let consumer {
                consumer?.resume()
                return
            }
            let id = state.withLock { state -> UInt64 in
                state.nextWaiterID += 1
                return state.nextWaiterID
            }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let resumeNow: Result<Void, any Error>? = state.withLock { state in
                        if state.cancelledWaiters.remove(id) != nil { return .failure(CancellationError()) }
                        if state.buffer.count < capacity { return .success(()) }
                        state.waiters.append((id, continuation))
                        return nil
                    }
                    if let resumeNow { continuation.resume(with: resumeNow) }
                }
            } onCancel: {
                let waiter: CheckedContinuation<Void, any Error>? = state.withLock { state in
                    if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                        return state.waiters.remove(at: index).continuation
                    }
                    state.cancelledWaiters.insert(id)
                    return nil
                }
                waiter?.resume(throwing: CancellationError())
            }
        }
    }

    /// Up to `max` events, waiting for at least one; nil once every producer finished and the queue
    /// is empty, or when the consumer's task is cancelled.
    func receive(max: Int) async -> [Envelope]? {
        while true {
            if Task.isCancelled { return nil }
            enum Step { case items([Envelope], [CheckedContinuation<Void, any Error>]), ended, wait }
            let step: Step = state.withLock { state in
                if !state.buffer.isEmpty {
                    let take = Swift.min(max, state.buffer.count)
                    let items = Array(state.buffer.prefix(take))
                    state.buffer.removeFirst(take)
                    let woken = state.waiters.map(\.continuation)
                    state.waiters.removeAll()
                    return .items(items, woken)
                }
                return state.producers == 0 ? .ended : .wait
            }
            switch step {
            case .items(let items, let woken):
                for waiter in woken { waiter.resume() }
                return items
            case .ended:
                return nil
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = state.withLock { state in
                            if !state.buffer.isEmpty || state.producers == 0 || state.consumerCancelled { return true }
                            state.consumer = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    let consumer = state.withLock { state in
                        state.consumerCancelled = true
                        defer { state.consumer = nil }
                        return state.consumer
                    }
                    consumer?.resume()
                }
            }
        }
    }

    func finishProducer() {
        let consumer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.producers -= 1
            guard state.producers == 0 else { return nil }
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }
}

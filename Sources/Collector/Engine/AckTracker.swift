import DequeModule
import Synchronization

/// Tracks one source's events in emission order and the position up to which all are acknowledged.
///
/// Events may be acknowledged in any order (enrichers run concurrently, sinks differ in speed); the
/// committed position only moves over a contiguous prefix of completed entries.
final class AckTracker: Sendable {
    private struct Entry {
        var sequence: UInt64
        var position: Checkpoint
        var done: Bool
    }

    private struct State {
        var nextSequence: UInt64 = 0
        var pending: Deque<Entry> = []
        var committed: Checkpoint?
        var committedVersion: UInt64 = 0
        var inFlight = 0
        var acknowledged: UInt64 = 0
    }

    private let state: Mutex<State>

    init(initial: Checkpoint?) {
        var start = State()
        start.committed = initial
        state = Mutex(start)
    }

    /// Registers an emitted event; returns its sequence number.
    func register(position: Checkpoint) -> UInt64 {
        state.withLock { state in
            let sequence = state.nextSequence
            state.nextSequence += 1
            state.pending.append(Entry(sequence: sequence, position: position, done: false))
            state.inFlight += 1
            return sequence
        }
    }

    /// A position reached with no event to wait for.
    func advance(to position: Checkpoint) {
        state.withLock { state in
            if state.pending.isEmpty {
                state.committed = position
                state.committedVersion += 1
            } else if state.pending[state.pending.count - 1].done {
                // Consecutive position-only entries collapse into one: memory stays bounded by events in flight.
                state.pending[state.pending.count - 1].position = position
            } else {
                let sequence = state.nextSequence
                state.nextSequence += 1
                state.pending.append(Entry(sequence: sequence, position: position, done: true))
            }
        }
    }

    func complete(_ sequence: UInt64) {
        state.withLock { state in
            guard let first = state.pending.first?.sequence, sequence >= first else { return }
            // Sequences in `pending` are increasing but not contiguous (collapsed advances), so search.
            var low = 0
            var high = state.pending.count - 1
            while low <= high {
                let middle = (low + high) / 2
                let value = state.pending[middle].sequence
                if value == sequence {
                    if !state.pending[middle].done {
                        state.pending[middle].done = true
                        state.inFlight -= 1
                        state.acknowledged += 1
                    }
                    break
                }
                if value < sequence { low = middle + 1 } else { high = middle - 1 }
            }
            while let head = state.pending.first, head.done {
                state.committed = head.position
                state.committedVersion += 1
                state.pending.removeFirst()
            }
        }
    }

    /// The acknowledged position and a version that changes whenever it moves.
    var committed: (position: Checkpoint?, version: UInt64) {
        state.withLock { ($0.committed, $0.committedVersion) }
    }

    var inFlight: Int { state.withLock { $0.inFlight } }
    var acknowledgedCount: UInt64 { state.withLock { $0.acknowledged } }
}

/// Acknowledges one event once every copy of it (one per downstream path) is done.
final class AckToken: Sendable {
    private let tracker: AckTracker
    private let sequence: UInt64
    private let remaining: Atomic<Int>

    init(tracker: AckTracker, sequence: UInt64, copies: Int) {
        self.tracker = tracker
        self.sequence = sequence
        self.remaining = Atomic(copies)
    }

    /// The event was fanned out to `count` more paths.
    func retain(_ count: Int) {
        remaining.add(count, ordering: .relaxed)
    }

    /// One path is done: accepted by a sink, dead-lettered, or dropped by an enricher on purpose.
    func release() {
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            tracker.complete(sequence)
        }
    }
}

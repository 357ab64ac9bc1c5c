/// Capped exponential backoff with jitter, the one retry policy of the product (engine sink retries,
/// the KNIME REST client, the AMQP reconnect loop).
///
/// Attempt n (0-based) waits a random time between half and all of its ceiling,
/// `min(max, initial · 2ⁿ)`, so that many retrying components do not wake in step. A value type with
/// no shared state: use `delay(attempt:)` with an attempt counter of your own, or the counting form
/// (`next()`, `reset()` after a success).
public struct Backoff: Sendable, Hashable {
    /// Ceiling of the first attempt (at least 1 ms).
    public var initialMilliseconds: Int
    /// Largest ceiling (never below `initialMilliseconds`).
    public var maxMilliseconds: Int
    /// Attempts counted by `next()` since the last `reset()`.
    public private(set) var attempt = 0

    public init(initialMilliseconds: Int, maxMilliseconds: Int) {
        self.initialMilliseconds = initialMilliseconds
        self.maxMilliseconds = maxMilliseconds
    }

    /// The longest wait of `attempt` (0-based; negative counts as 0), in milliseconds:
    /// `min(max, initial · 2^attempt)`.
    public func ceilingMilliseconds(attempt: Int) -> Int {
        let initial = max(1, initialMilliseconds)
        let cap = max(initial, maxMilliseconds)
        let exponent = min(max(attempt, 0), 62)
        // initial · 2ⁿ loses bits (or the sign) once n reaches the leading zero bits; it is past the cap anyway.
        guard exponent < initial.leadingZeroBitCount else { return cap }
        return min(cap, initial << exponent)
    }

    /// A random wait for `attempt`, in milliseconds: between half of the ceiling and the ceiling.
    public func delayMilliseconds<G: RandomNumberGenerator>(attempt: Int, using generator: inout G) -> Int {
        let ceiling = ceilingMilliseconds(attempt: attempt)
        return Int.random(in: (ceiling / 2)...ceiling, using: &generator)
    }

    public func delayMilliseconds(attempt: Int) -> Int {
        var generator = SystemRandomNumberGenerator()
        return delayMilliseconds(attempt: attempt, using: &generator)
    }

    public func delay(attempt: Int) -> Duration {
        .milliseconds(delayMilliseconds(attempt: attempt))
    }

    /// Sleeps for the attempt's delay; false if the task was cancelled meanwhile.
    public func sleep(attempt: Int) async -> Bool {
        do {
            try await Task.sleep(for: delay(attempt: attempt))
            return true
        } catch {
            return false
        }
    }

    /// The delay of the current attempt, counting it: each call waits up to twice as long as the
    /// previous one, until the cap.
    public mutating func next() -> Duration {
        defer { attempt += 1 }
        return delay(attempt: attempt)
    }

    /// Starts again from the first attempt (after a success).
    public mutating func reset() {
        attempt = 0
    }
}

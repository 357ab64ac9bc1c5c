/// Capped exponential backoff with jitter: attempt n waits between half and all of
/// min(max, initial · 2ⁿ), so many retrying sinks do not wake in step.
struct Backoff: Sendable {
    var initialMilliseconds: Int
    var maxMilliseconds: Int

    func delay(attempt: Int) -> Duration {
        let exponent = min(attempt, 30)
        let ceiling = min(Double(maxMilliseconds), Double(initialMilliseconds) * Double(1 << exponent))
        return .milliseconds(Int(ceiling * Double.random(in: 0.5...1.0)))
    }

    /// Sleeps for the attempt's delay; false if the task was cancelled meanwhile.
    func sleep(attempt: Int) async -> Bool {
        do {
            try await Task.sleep(for: delay(attempt: attempt))
            return true
        } catch {
            return false
        }
    }
}

import Collector
import Testing

/// A generator with a fixed seed (SplitMix64), so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Backoff")
struct BackoffTests {
    @Test func ceilingDoublesUntilTheCap() {
        let backoff = Backoff(initialMilliseconds: 100, maxMilliseconds: 5_000)
        #expect((0...7).map { backoff.ceilingMilliseconds(attempt: $0) } == [100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000])
        #expect(backoff.ceilingMilliseconds(attempt: -3) == 100)
        #expect(backoff.ceilingMilliseconds(attempt: 10_000) == 5_000, "no overflow for huge attempts")
        #expect(Backoff(initialMilliseconds: 1 << 40, maxMilliseconds: Int.max).ceilingMilliseconds(attempt: 40) == Int.max)
        #expect(Backoff(initialMilliseconds: 0, maxMilliseconds: 0).ceilingMilliseconds(attempt: 0) == 1, "at least 1 ms")
        #expect(Backoff(initialMilliseconds: 500, maxMilliseconds: 100).ceilingMilliseconds(attempt: 3) == 500,
                "a max below the initial wait does not shrink it")
    }

    @Test func delaysStayBetweenHalfAndAllOfTheCeiling() {
        let backoff = Backoff(initialMilliseconds: 200, maxMilliseconds: 10_000)
        var generator = SeededGenerator(state: 42)
        for attempt in 0..<12 {
            let ceiling = backoff.ceilingMilliseconds(attempt: attempt)
            for _ in 0..<200 {
                let delay = backoff.delayMilliseconds(attempt: attempt, using: &generator)
                #expect(delay >= ceiling / 2 && delay <= ceiling, "attempt \(attempt): \(delay) outside \(ceiling / 2)...\(ceiling)")
            }
        }
    }

    @Test func jitterSpreadsOverTheWholeRange() {
        let backoff = Backoff(initialMilliseconds: 1_000, maxMilliseconds: 1_000)
        var generator = SeededGenerator(state: 7)
        let delays = (0..<2_000).map { _ in backoff.delayMilliseconds(attempt: 0, using: &generator) }
        // Uniform over 500...1000: both ends of the range are reached, and the mean is near the middle.
        #expect(delays.min()! < 520 && delays.max()! > 980)
        let mean = Double(delays.reduce(0, +)) / Double(delays.count)
        #expect(mean > 720 && mean < 780)
        #expect(Set(delays).count > 300, "not a constant")
    }

    @Test func countingFormAndReset() {
        var backoff = Backoff(initialMilliseconds: 100, maxMilliseconds: 1_000)
        var delays: [Duration] = []
        for _ in 0..<6 { delays.append(backoff.next()) }
        #expect(backoff.attempt == 6)
        for (attempt, delay) in delays.enumerated() {
            let ceiling = backoff.ceilingMilliseconds(attempt: attempt)
            #expect(delay >= .milliseconds(ceiling / 2) && delay <= .milliseconds(ceiling))
        }
        backoff.reset()
        #expect(backoff.attempt == 0)
        #expect(backoff.next() <= .milliseconds(100), "after a reset the first wait is short again")
    }

    @Test func sleepReturnsFalseWhenCancelled() async {
        let backoff = Backoff(initialMilliseconds: 60_000, maxMilliseconds: 60_000)
        let task = Task { await backoff.sleep(attempt: 0) }
        task.cancel()
        #expect(await task.value == false)
    }
}

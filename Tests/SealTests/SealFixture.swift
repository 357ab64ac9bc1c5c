import Collector
import CollectorTestKit
import Foundation
import Logging
import Seal
import Sinks_File
import Synchronization

/// A wall clock tests move by hand.
final class TestClock: Sendable {
    private let value: Mutex<Int>
    init(_ seconds: Int) { value = Mutex(seconds) }
    var now: Int { value.withLock { $0 } }
    func set(_ seconds: Int) { value.withLock { $0 = seconds } }
    func advance(_ seconds: Int) { value.withLock { $0 += seconds } }
}

/// A folder of sealed audit files written through the real `file` sink with a test clock.
struct SealFixture {
    let folder: String
    let path: String
    let key: SealPrivateKey
    let clock: TestClock
    let format: EventFormat
    let rotation: FileSinkConfiguration.Rotation
    let interval: Int

    init(format: EventFormat = .json, rotation: FileSinkConfiguration.Rotation = .init(daily: true, maxBytes: 0, keep: 100),
         interval: Int = 3600, start: Int = 1_763_596_800 /* 2025-11-20T00:00:00Z */ + 1800,
         folder: String = PipelineHarness.temporaryDirectory("seal"), key: SealPrivateKey = SealPrivateKey()) {
        self.folder = folder
        path = folder + "/audit/audit.log"
        self.key = key
        clock = TestClock(start)
        self.format = format
        self.rotation = rotation
        self.interval = interval
    }

    var audit: String { folder + "/audit" }

    func sink() -> FileSink {
        let configuration = FileSinkConfiguration(path: path, format: format, rotation: rotation,
                                                  seal: .init(key: key, digestIntervalSeconds: interval))
        let clock = self.clock
        return FileSink(configuration: configuration, logger: Logger(label: "seal-test"), now: { clock.now })
    }

    /// `days` days of events (a batch of `perBatch` every `step` seconds) through one sink, shut down
    /// cleanly unless `shutdown` is false. Returns the index of the next event.
    @discardableResult
    func write(days: Double, step: Int = 4 * 3600, perBatch: Int = 3, from first: Int = 0, shutdown: Bool = true) async throws -> Int {
        let sink = sink()
        try await sink.start()
        var index = first
        let end = clock.now + Int(days * 86_400)
        while clock.now < end {
            _ = try await sink.write((index..<(index + perBatch)).map { ReplaySource.sampleEvent($0) })
            index += perBatch
            clock.advance(step)
        }
        if shutdown { await sink.shutdown() }
        return index
    }

    /// Sets a file's modification time to the test clock (as if it had last been written then).
    func touch(_ file: String) {
        var times = [timespec(tv_sec: clock.now, tv_nsec: 0), timespec(tv_sec: clock.now, tv_nsec: 0)]
        utimensat(AT_FDCWD, file, &times, 0)
    }

    func verify(allowUnsigned: Bool = false, key: SealPublicKey? = nil) -> SealReport {
        SealVerifier(publicKey: key ?? self.key.publicKey).verify([audit])
    }

    func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: audit)) ?? []).sorted() }
    func rolledFiles() -> [String] { names().filter { $0.hasPrefix("audit.log.") && SealDigestName.parse($0) == nil } }
    func digestFiles() -> [String] { names().filter { SealDigestName.parse($0) != nil } }

    func lines(_ name: String) -> [String] {
        let text = (try? String(contentsOfFile: audit + "/" + name, encoding: .utf8)) ?? ""
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    func setLines(_ name: String, _ lines: [String]) throws {
        try (lines.map { $0 + "\n" }.joined()).write(toFile: audit + "/" + name, atomically: false, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

extension SealReport {
    /// Whether a problem names this file (by its last component), line and words.
    func has(_ file: String, line: Int? = nil, _ words: String) -> Bool {
        problems.contains { $0.path.hasSuffix("/" + file) && (line == nil || $0.line == line) && $0.message.contains(words) }
    }

    var listing: String { findings.map(\.description).joined(separator: "\n") + "\n" + summary }
}

import Collector
import CollectorTestKit
import Foundation
import Logging
import Synchronization
import Tail

/// Numbered test lines: `<tag>-<n> …` with some padding, each distinct, so every file's first bytes differ.
enum Lines {
    static func line(_ index: Int, tag: String) -> String {
        "2024-04-25 10:00:\(String(format: "%02d", index % 60)) \(tag)-\(index) something happened to resource r\(index % 17) padding padding\n"
    }

    static func text(_ range: Range<Int>, tag: String) -> String {
        range.map { line($0, tag: tag) }.joined()
    }

    static func ids(_ range: Range<Int>, tag: String) -> Set<String> {
        Set(range.map { "\(tag)-\($0)" })
    }
}

/// A test source: every line of the tailed files becomes one event whose `line` attribute is its
/// tag (`<tag>-<n>`), id from the line's text.
struct LineReader: TailReader {
    var malformedLines: Int { 0 }
    var overLongLines: Int { 0 }

    mutating func read(_ chunk: LogTailer.Chunk, file: TailedFile, tailer: LogTailer) -> [Emission] {
        var out: [Emission] = []
        chunk.forEachLine { line, _, next in
            let text = String(decoding: line, as: UTF8.self)
            let tag = text.split(separator: " ").dropFirst(2).first.map(String.init) ?? ""
            let event = AuditEvent(id: AuditEvent.deterministicID(text), time: EventTime(millisecondsSinceEpoch: 0),
                                   action: Action(type: "line", outcome: .success), attributes: ["line": tag])
            out.append(Emission(event, position: tailer.checkpoint(file, offset: next)))
        }
        return out
    }
}

struct LineSource: Source {
    let settings: TailSettings

    func run(_ context: SourceContext) async throws {
        var reader = LineReader()
        try await TailLoop.run(context, settings: settings, reader: &reader)
    }
}

struct LineSourceFactory: SourceFactory {
    var type: String { "test_lines" }
    var summary: String { "tails files, one event per line (test)" }

    func configuration(_ config: ConfigSection) -> TailSettings {
        TailSettings(paths: config.strings("paths"), pollIntervalMilliseconds: config.int("poll_interval_ms", default: 1000))
    }

    func makeSource(_ configuration: TailSettings, context: ComponentContext) throws -> any Source {
        LineSource(settings: configuration)
    }
}

/// Keeps every log message (for tests that check what was reported).
final class LogCapture: Sendable {
    private let messages = Mutex<[(Logger.Level, String)]>([])

    var all: [(level: Logger.Level, message: String)] { messages.withLock { $0 } }

    func record(_ level: Logger.Level, _ message: String) { messages.withLock { $0.append((level, message)) } }

    var logger: Logger {
        var logger = Logger(label: "capture") { _ in Handler(capture: self) }
        logger.logLevel = .info
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.record(event.level, "\(event.message) \(fields)")
        }
    }
}

/// A test_lines → recording pipeline on `folder`, started and stopped on demand with the same data_dir.
final class LinePipeline: Sendable {
    let recorder = EventRecorder()
    let capture = LogCapture()
    let folder: String
    let paths: [String]
    private let running = Mutex<(Pipeline, Task<Void, Error>)?>(nil)

    init(folder: String, paths: [String]) {
        self.folder = folder
        self.paths = paths
    }

    func start() throws {
        var registry = ComponentRegistry()
        registry.register(LineSourceFactory())
        registry.register(RecordingSinkFactory(recorder: recorder))
        var harness = PipelineHarness(registry: registry)
        harness.logger = capture.logger
        let text = """
        { "name": "tail", "data_dir": "\(folder)/data", "checkpoint_interval_ms": 20,
          "sources": { "lines": { "type": "test_lines", "paths": [\(paths.map { "\"\(folder)/\($0)\"" }.joined(separator: ","))],
                                  "poll_interval_ms": 5000 } },
          "sinks": { "rec": { "type": "recording", "inputs": ["lines"] } } }
        """
        let pipeline = try harness.pipeline(text)
        let task = Task { try await pipeline.run() }
        running.withLock { $0 = (pipeline, task) }
    }

    func stop() async {
        guard let (pipeline, task) = running.withLock({ state in defer { state = nil }; return state }) else { return }
        pipeline.stop()
        _ = try? await task.value
    }

    var tags: [String] { recorder.events.compactMap { $0.attributes["line"] } }

    /// Waits until `count` events arrived (true) or `timeout` passed (false).
    func waitFor(_ count: Int, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if recorder.events.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

import Logging
import Synchronization

/// Keeps log records in memory so tests can check what was reported (level, message, metadata).
public final class LogRecorder: Sendable {
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    public init() {}

    public var all: [Record] { records.withLock { $0 } }

    /// A logger writing here, at `level` and above.
    public func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "test") { _ in Handler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    func append(_ record: Record) {
        records.withLock { $0.append(record) }
    }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged: [String: String] = [:]
            for (key, value) in metadata { merged[key] = "\(value)" }
            for (key, value) in event.metadata ?? [:] { merged[key] = "\(value)" }
            recorder.append(Record(level: event.level, message: "\(event.message)", metadata: merged))
        }
    }
}

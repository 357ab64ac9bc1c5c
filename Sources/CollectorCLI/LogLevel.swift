import ArgumentParser
import Logging

/// `--log-level` handling shared by the commands that run pipelines.
enum LogLevel {
    static func check(_ text: String) throws {
        guard Logger.Level(rawValue: text) != nil else { throw ValidationError("unknown --log-level \(text)") }
    }

    /// Sends logs to standard error at `text`'s level (once per process, as swift-log requires).
    static func bootstrap(_ text: String, fallback: Logger.Level) {
        let level = Logger.Level(rawValue: text) ?? fallback
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

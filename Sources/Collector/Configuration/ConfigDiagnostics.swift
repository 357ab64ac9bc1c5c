import Synchronization

/// One problem found in a pipeline file, with its place (`sinks.archive.rotate.keep`).
public struct ConfigIssue: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var path: String
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String {
        let place = path.isEmpty ? "" : "\(path): "
        return file.isEmpty ? "\(place)\(message)" : "\(file): \(place)\(message)"
    }
}

/// Collects every issue of a file so that all are reported, not just the first.
public final class ConfigDiagnostics: Sendable {
    public let file: String
    private let collected = Mutex<[ConfigIssue]>([])

    public init(file: String) { self.file = file }

    public func report(_ path: String, _ message: String) {
        collected.withLock { $0.append(ConfigIssue(file: file, path: path, message: message)) }
    }

    public var issues: [ConfigIssue] { collected.withLock { $0 } }
    public var isEmpty: Bool { collected.withLock { $0.isEmpty } }
}

/// The issues that made a pipeline file unusable.
public struct PipelineConfigurationError: Error, CustomStringConvertible, Sendable {
    public var issues: [ConfigIssue]

    public init(issues: [ConfigIssue]) { self.issues = issues }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}

import Collector
import Foundation
import Logging

/// Loads and runs pipelines in tests with a registry of the test's choosing.
public struct PipelineHarness: Sendable {
    public var registry: ComponentRegistry
    public var environment: [String: String]
    public var logger: Logger

    public init(registry: ComponentRegistry = ComponentRegistry(), environment: [String: String] = [:],
                logLevel: Logger.Level = .warning) {
        self.registry = registry
        self.environment = environment
        var logger = Logger(label: "test")
        logger.logLevel = logLevel
        self.logger = logger
    }

    public func load(_ text: String, file: String = "test.json") throws -> PipelineDefinition {
        try PipelineLoader(registry: registry, secrets: SecretResolver(mode: .resolve, environment: environment))
            .load(text: text, file: file)
    }

    public func pipeline(_ text: String, options: RunOptions = RunOptions()) throws -> Pipeline {
        Pipeline(definition: try load(text), options: options, logger: logger)
    }

    /// Runs until the pipeline ends by itself (`--exit-when-idle` is on) or `timeout` passes (then it
    /// is stopped gracefully and this throws).
    public func runUntilIdle(_ text: String, timeout: Duration = .seconds(60)) async throws -> Pipeline {
        let pipeline = try pipeline(text, options: RunOptions(exitWhenIdle: true))
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await pipeline.run()
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let finished = try await group.next() ?? false
            if !finished {
                pipeline.stop()
                _ = try? await group.next()
                throw CollectorError(.timeout, "pipeline did not become idle within \(timeout)")
            }
            group.cancelAll()
        }
        return pipeline
    }

    /// A fresh folder under the system temp folder, for a test's `data_dir` and files.
    public static func temporaryDirectory(_ prefix: String = "collector-test") -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

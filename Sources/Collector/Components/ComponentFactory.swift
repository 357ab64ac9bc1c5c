import Logging

/// What a factory knows when it makes a component. Making does no I/O: that waits for `start()`/`run`.
public struct ComponentContext: Sendable {
    public let pipeline: String
    /// The component's name in the pipeline file.
    public let name: String
    /// The pipeline's `data_dir`: where the engine keeps checkpoints and dead letters, and where a
    /// component may keep state of its own (under a folder named after itself).
    public let dataDirectory: String
    public let logger: Logger
    /// `collector run --dry-run`: no side effects beyond printing.
    public let dryRun: Bool
    /// What the components of this pipeline run share (clients, pools); owned and shut down by the
    /// pipeline. The one way for components to share state: none is process-wide.
    public let resources: PipelineResources

    public init(pipeline: String, name: String, dataDirectory: String, logger: Logger, dryRun: Bool = false,
                resources: PipelineResources = PipelineResources()) {
        self.pipeline = pipeline
        self.name = name
        self.dataDirectory = dataDirectory
        self.logger = logger
        self.dryRun = dryRun
        self.resources = resources
    }
}

/// Makes sources of one `type`. The configuration is read by `configuration(_:)`, whose reads also
/// declare the keys (for unknown-key errors and `collector components`).
public protocol SourceFactory: Sendable {
    associatedtype Configuration: Sendable
    var type: String { get }
    var summary: String { get }
    func configuration(_ config: ConfigSection) -> Configuration
    func makeSource(_ configuration: Configuration, context: ComponentContext) throws -> any Source
}

public protocol EnricherFactory: Sendable {
    associatedtype Configuration: Sendable
    var type: String { get }
    var summary: String { get }
    func configuration(_ config: ConfigSection) -> Configuration
    func makeEnricher(_ configuration: Configuration, context: ComponentContext) throws -> any Enricher
}

public protocol SinkFactory: Sendable {
    associatedtype Configuration: Sendable
    var type: String { get }
    var summary: String { get }
    func configuration(_ config: ConfigSection) -> Configuration
    func makeSink(_ configuration: Configuration, context: ComponentContext) throws -> any Sink
    /// Defaults of the common keys `buffer.type` and `in_flight` for this type (default: `.local`,
    /// a memory buffer and one batch at a time). A sink with `in_flight` above 1 must accept
    /// concurrent `write` calls.
    var defaults: SinkDefaults { get }
}

extension SinkFactory {
    public var defaults: SinkDefaults { .local }
}

public enum ComponentKind: String, Sendable, CaseIterable {
    case source, enricher, sink

    /// The pipeline file's section for this kind.
    public var section: String { rawValue + "s" }
}

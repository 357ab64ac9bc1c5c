import Collector

/// Configuration of the `file` sink.
public struct FileSinkConfiguration: Sendable {
    public var path: String
    public var format: EventFormat
    public var rotation: Rotation

    public struct Rotation: Sendable, Hashable {
        /// Start a new file at local midnight; the old one becomes `<path>.<yyyy-MM-dd>`.
        public var daily: Bool
        /// Start a new file before one would grow past this size (0: no size limit).
        public var maxBytes: Int
        /// Rotated files kept; older ones are deleted.
        public var keep: Int

        public init(daily: Bool = false, maxBytes: Int = 0, keep: Int = 7) {
            self.daily = daily
            self.maxBytes = maxBytes
            self.keep = keep
        }

        public var isEnabled: Bool { daily || maxBytes > 0 }
    }

    public init(path: String, format: EventFormat = .json, rotation: Rotation = Rotation()) {
        self.path = path
        self.format = format
        self.rotation = rotation
    }
}

/// Makes `file` sinks.
public struct FileSinkFactory: SinkFactory {
    public init() {}
    public var type: String { "file" }
    public var summary: String { "appends events to a rolling file (JSON lines or Knox pipe layout), fsync'd before acknowledging" }

    public func configuration(_ config: ConfigSection) -> FileSinkConfiguration {
        let path = config.requiredString("path", doc: "the audit file; created 0640 with its folders 0750")
        if !path.isEmpty, !path.hasPrefix("/") { config.report("path", "must be an absolute path") }
        let format = EventFormat.read(config)
        let rotate = config.section("rotate", doc: "rolling, like log4j's rolling file appenders")
        let rotation = FileSinkConfiguration.Rotation(
            daily: rotate.bool("daily", default: false, doc: "roll at local midnight to <path>.<yyyy-MM-dd>"),
            maxBytes: rotate.int("max_bytes", default: 0, range: 0...Int(Int64.max), doc: "roll before the file passes this size (0: never)"),
            keep: rotate.int("keep", default: 7, range: 0...100_000, doc: "rolled files kept"))
        rotate.finish()
        return FileSinkConfiguration(path: path, format: format, rotation: rotation)
    }

    public func makeSink(_ configuration: FileSinkConfiguration, context: ComponentContext) throws -> any Sink {
        FileSink(configuration: configuration, logger: context.logger)
    }
}

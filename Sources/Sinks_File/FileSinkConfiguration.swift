import Collector
import Seal

/// Configuration of the `file` sink.
public struct FileSinkConfiguration: Sendable {
    public var path: String
    public var format: EventFormat
    public var rotation: Rotation
    /// Hash-chained records and signed digests (nil: not sealed).
    public var seal: Seal?

    /// The `seal` option: every record carries `seq` and `chain`, and digests signed with `key` are
    /// written every `digestIntervalSeconds`, at every roll and at shutdown.
    public struct Seal: Sendable {
        /// Nil only when the configuration was read without resolving secrets (`collector validate`).
        public var key: SealPrivateKey?
        public var digestIntervalSeconds: Int

        public init(key: SealPrivateKey?, digestIntervalSeconds: Int = 3600) {
            self.key = key
            self.digestIntervalSeconds = digestIntervalSeconds
        }
    }

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

    public init(path: String, format: EventFormat = .json, rotation: Rotation = Rotation(), seal: Seal? = nil) {
        self.path = path
        self.format = format
        self.rotation = rotation
        self.seal = seal
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
        var seal: FileSinkConfiguration.Seal?
        let sealSection = config.section("seal", doc: "tamper evidence: hash-chained records and Ed25519-signed digests (see collector verify)")
        let secret = sealSection.secret("key", doc: "the private key of collector seal-keygen, by reference: ${file:/etc/collector/seal.key}")
        let interval = sealSection.int("digest_interval_s", default: 3600, range: 1...86_400 * 7, doc: "seconds between digests (also at every roll and shutdown)")
        sealSection.finish()
        if config.contains("seal") {
            var key: SealPrivateKey?
            if let secret, !secret.value.isEmpty {
                do { key = try SealPrivateKey(text: secret.value) } catch { sealSection.report("key", "\(secret.reference): \(error)") }
            } else if secret == nil, !sealSection.contains("key") {
                sealSection.report("key", "required when sealing")
            }
            seal = FileSinkConfiguration.Seal(key: key, digestIntervalSeconds: interval)
        }
        return FileSinkConfiguration(path: path, format: format, rotation: rotation, seal: seal)
    }

    public func makeSink(_ configuration: FileSinkConfiguration, context: ComponentContext) throws -> any Sink {
        if let seal = configuration.seal, seal.key == nil {
            throw CollectorError(.configuration, "seal.key was not resolved", context: context.name)
        }
        return FileSink(configuration: configuration, logger: context.logger)
    }
}

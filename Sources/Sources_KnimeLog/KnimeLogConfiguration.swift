import Collector

/// The `knime_log` source's settings (see `KnimeLogSourceFactory` for the keys and defaults).
public struct KnimeLogConfiguration: Sendable {
    /// Glob patterns, absolute (relative ones were resolved against `logs_dir`).
    public var paths: [String]
    /// Without a checkpoint: start at the end of the existing files instead of their beginning.
    public var readFromEnd: Bool
    /// The job states that produce an event.
    public var states: Set<String>
    /// The zone of the log's timestamps: `local` or an IANA name.
    public var timezone: String
    public var maxLineBytes: Int
    public var pollIntervalMilliseconds: Int
    /// The server name put on events.
    public var host: String
    /// How the log's bytes are decoded.
    public var encoding: KnimeLogEncoding

    public init(paths: [String], readFromEnd: Bool = false, states: Set<String> = Set(KnimeJobState.defaultStates),
                timezone: String = "local", maxLineBytes: Int = 65_536, pollIntervalMilliseconds: Int = 1000,
                host: String = ProcessEnvironment.hostName(), encoding: KnimeLogEncoding = .utf8) {
        self.paths = paths
        self.readFromEnd = readFromEnd
        self.states = states
        self.timezone = timezone
        self.maxLineBytes = maxLineBytes
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
        self.host = host
        self.encoding = encoding
    }
}

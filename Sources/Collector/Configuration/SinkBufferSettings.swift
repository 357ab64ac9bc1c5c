/// Where a sink's events wait between the graph and the sink.
public enum SinkBufferKind: String, Sendable, CaseIterable {
    /// A bounded in-memory queue (`queue_capacity` events): an event is acknowledged upstream once
    /// the sink accepted it, so a down sink back-pressures the sources.
    case memory
    /// A write-ahead log in `data_dir`: an event is acknowledged upstream once it is fsync'd there;
    /// the sink delivers from the log at its own pace and resumes from it after a restart.
    case disk
}

/// Defaults a sink type gives to the common sink keys `buffer.type` and `in_flight`.
///
/// Network and store sinks default to a disk buffer and several batches in flight; local sinks
/// (file, stdout) to a memory buffer and one batch at a time.
public struct SinkDefaults: Sendable, Equatable {
    public var buffer: SinkBufferKind
    public var inFlight: Int

    public init(buffer: SinkBufferKind, inFlight: Int) {
        self.buffer = buffer
        self.inFlight = inFlight
    }

    /// Memory buffer, one batch at a time.
    public static let local = SinkDefaults(buffer: .memory, inFlight: 1)
    /// Disk buffer, four batches in flight.
    public static let network = SinkDefaults(buffer: .disk, inFlight: 4)
}

/// The `buffer` key of a sink, read and checked.
public struct SinkBufferSettings: Sendable, Equatable {
    public var kind: SinkBufferKind
    /// Disk: the most bytes of segment files kept; a full buffer blocks (back-pressure), never drops.
    public var maxBytes: Int
    /// Disk: the folder of the segment files (default `<data_dir>/buffers/<sink>`).
    public var path: String?

    public static let defaultMaxBytes = 256 << 20

    public init(kind: SinkBufferKind, maxBytes: Int = SinkBufferSettings.defaultMaxBytes, path: String? = nil) {
        self.kind = kind
        self.maxBytes = maxBytes
        self.path = path
    }

    /// The folder of a disk buffer.
    public func directory(dataDirectory: String, sink: String) -> String {
        path ?? "\(dataDirectory)/buffers/\(sink)"
    }

    static func read(_ section: ConfigSection, default kind: SinkBufferKind) -> SinkBufferSettings {
        let buffer = section.section("buffer", doc: "where events wait for the sink: {\"type\": \"memory\"} or {\"type\": \"disk\", \"max_bytes\": N, \"path\": DIR} (default: \(kind.rawValue))")
        let name = buffer.choice("type", SinkBufferKind.allCases.map(\.rawValue), default: kind.rawValue,
                                 doc: "memory (bounded queue) or disk (write-ahead log in data_dir, survives restarts and sink outages)")
        let chosen = SinkBufferKind(rawValue: name) ?? kind
        let maxBytes = buffer.int("max_bytes", default: defaultMaxBytes, range: (1 << 20)...(1 << 50),
                                  doc: "disk: most bytes kept; a full buffer blocks, never drops")
        let path = buffer.string("path", doc: "disk: folder of the segment files (default <data_dir>/buffers/<sink>)")
        if !buffer.isDescribing {
            if let path, !path.hasPrefix("/") { buffer.report("path", "must be an absolute path") }
            if chosen == .memory {
                if buffer.contains("max_bytes") { buffer.report("max_bytes", "only a disk buffer has max_bytes") }
                if buffer.contains("path") { buffer.report("path", "only a disk buffer has a path") }
            }
        }
        buffer.finish()
        return SinkBufferSettings(kind: chosen, maxBytes: maxBytes, path: path)
    }
}

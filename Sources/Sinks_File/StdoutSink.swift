#if canImport(Glibc)
import Glibc
#endif
import Collector
import Synchronization

/// Writes events to standard output (what `collector run --dry-run` uses in place of every sink).
public final class StdoutSink: Sink {
    private let format: EventFormat
    private let lock = Mutex<Void>(())

    public init(format: EventFormat) {
        self.format = format
    }

    public func write(_ events: [AuditEvent]) async throws -> SinkResult {
        var out: [UInt8] = []
        for event in events { format.appendLine(event, to: &out) }
        try lock.withLock { _ in
            try out.withUnsafeBytes { try FileIO.writeAll(STDOUT_FILENO, $0, path: "standard output") }
        }
        return .accepted
    }
}

/// Makes `stdout` sinks.
public struct StdoutSinkFactory: SinkFactory {
    public init() {}
    public var type: String { "stdout" }
    public var summary: String { "prints events to standard output (JSON lines or Knox pipe layout)" }

    public func configuration(_ config: ConfigSection) -> EventFormat {
        EventFormat.read(config)
    }

    public func makeSink(_ configuration: EventFormat, context: ComponentContext) throws -> any Sink {
        StdoutSink(format: configuration)
    }
}

import Collector
import Tail

/// The `knox_audit` source: follows Knox's `gateway-audit.log` and its rolled files through
/// `TailLoop` (positions, idle, restarts and rotation are the tailer's) and emits one event per record.
public struct KnoxAuditSource: Source {
    public let configuration: KnoxAuditConfiguration

    public init(configuration: KnoxAuditConfiguration) {
        self.configuration = configuration
    }

    public func run(_ context: SourceContext) async throws {
        let zone: ZoneInfo
        do {
            zone = try ZoneInfo.named(configuration.timezone)
        } catch {
            context.logger.error("Knox times read as local time", metadata: ["error": "\(error)"])
            zone = ZoneInfo.local
        }
        guard let time = KnoxTimeParser(pattern: configuration.timeFormat, zone: zone) else {
            throw CollectorError(.configuration, "time_format \"\(configuration.timeFormat)\" is not a time pattern")
        }
        var reader = KnoxAuditReader(configuration: configuration, time: time, logger: context.logger)
        try await TailLoop.run(context, settings: configuration.tail, reader: &reader)
    }
}

import Collector
import Tail

/// The `denodo_audit` source: follows Denodo Scheduler's JSON audit file (`scheduler-requests.json`,
/// size-rolled to `.1 … .7`) through `TailLoop` and emits one event per record.
public struct DenodoAuditSource: Source {
    public let configuration: DenodoAuditConfiguration

    public init(configuration: DenodoAuditConfiguration) {
        self.configuration = configuration
    }

    public func run(_ context: SourceContext) async throws {
        let zone: ZoneInfo
        do {
            zone = try ZoneInfo.named(configuration.timezone)
        } catch {
            context.logger.error("Denodo times without an offset read as local time", metadata: ["error": "\(error)"])
            zone = ZoneInfo.local
        }
        var reader = DenodoAuditReader(configuration: configuration, time: DenodoTime(zone: zone), logger: context.logger)
        try await TailLoop.run(context, settings: configuration.tail, reader: &reader)
    }
}

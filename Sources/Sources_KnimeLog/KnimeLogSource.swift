import Collector
import Logging
import Tail

/// The `knime_log` source: follows KNIME Server's Tomcat log files (through `TailLoop`) and emits one
/// audit event per job-finished line whose state is in `states`. Positions, idle reporting and
/// restarts are `TailLoop`'s; on start it resumes from `context.checkpoint` (files found again by
/// identity, also under a new name).
public struct KnimeLogSource: Source {
    public let configuration: KnimeLogConfiguration

    public init(configuration: KnimeLogConfiguration) {
        self.configuration = configuration
    }

    public func run(_ context: SourceContext) async throws {
        let logger = context.logger
        let timeZone: ZoneInfo
        do {
            timeZone = try ZoneOffsetCache.zone(named: configuration.timezone)
        } catch {
            logger.error("log timestamps read as local time", metadata: ["error": "\(error)"])
            timeZone = ZoneInfo.local
        }
        if timeZone === ZoneInfo.local, let problem = ZoneInfo.localError {
            logger.warning("log timestamps read as UTC", metadata: ["error": "\(problem)"])
        }
        var reader = KnimeLogReader(configuration: configuration, zone: ZoneOffsetCache(zone: timeZone), logger: logger)
        let settings = TailSettings(paths: configuration.paths, readFromEnd: configuration.readFromEnd,
                                    maxLineBytes: configuration.maxLineBytes,
                                    pollIntervalMilliseconds: configuration.pollIntervalMilliseconds)
        try await TailLoop.run(context, settings: settings, reader: &reader)
    }
}

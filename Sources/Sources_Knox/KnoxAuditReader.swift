import Collector
import Logging
import Tail

/// Turns Knox audit lines into events (see `KnoxAuditSourceFactory` for the mapping). A line that is
/// not a Knox record is logged with its file and offset, counted and skipped.
struct KnoxAuditReader: TailReader {
    let configuration: KnoxAuditConfiguration
    let time: KnoxTimeParser
    let logger: Logger
    private(set) var malformedLines = 0
    private(set) var overLongLines = 0

    init(configuration: KnoxAuditConfiguration, time: KnoxTimeParser, logger: Logger) {
        self.configuration = configuration
        self.time = time
        self.logger = logger
    }

    mutating func read(_ chunk: LogTailer.Chunk, file: TailedFile, tailer: LogTailer) -> [Emission] {
        var emissions: [Emission] = []
        chunk.forEachLine { line, start, next in
            guard !line.isEmpty else { return }
            if line.count > configuration.tail.maxLineBytes {
                overLongLines += 1
                logger.warning("over-long line skipped", metadata: ["file": "\(file.path)", "offset": "\(start)", "bytes": "\(line.count)"])
                return
            }
            switch event(line) {
            case .success(let event):
                emissions.append(Emission(event, position: tailer.checkpoint(file, offset: next)))
            case .failure(let reason):
                malformedLines += 1
                logger.warning("Knox audit line skipped: \(reason)", metadata: ["file": "\(file.path)", "offset": "\(start)"])
            }
        }
        return emissions
    }

    enum LineError: Error, CustomStringConvertible {
        case time(String), columns(KnoxLineParser.Failure)

        var description: String {
            switch self {
            case .time(let pattern): "it does not start with a time in the format \"\(pattern)\" followed by a space"
            case .columns(let failure): failure.description
            }
        }
    }

    func event(_ line: UnsafeBufferPointer<UInt8>) -> Result<AuditEvent, LineError> {
        guard let (when, length) = time.parse(line), length < line.count, line[length] == 0x20 else {
            return .failure(.time(configuration.timeFormat))
        }
        let record: KnoxRecord
        switch KnoxLineParser.parse(UnsafeBufferPointer(rebasing: line[(length + 1)...])) {
        case .success(let parsed): record = parsed
        case .failure(let failure): return .failure(.columns(failure))
        }
        var attributes = Attributes()
        if !record.rootRequestID.isEmpty { attributes.append("root_request_id", record.rootRequestID) }
        if !record.parentRequestID.isEmpty { attributes.append("parent_request_id", record.parentRequestID) }
        if !record.systemUserName.isEmpty { attributes.append("system_user_name", record.systemUserName) }
        let id: String
        switch configuration.eventID {
        case .requestID where !record.requestID.isEmpty:
            id = record.requestID
        default:
            id = AuditEvent.deterministicID("knox", String(decoding: line, as: UTF8.self))
            if !record.requestID.isEmpty { attributes.append("request_id", record.requestID) }
        }
        let outcome = Outcome(rawValue: record.outcome) ?? .unknown
        if outcome == .unknown && record.outcome != "unknown" && !record.outcome.isEmpty {
            attributes.append("knox_outcome", record.outcome)
        }
        KnoxMessage.attributes(record.rawMessage, mode: configuration.message, into: &attributes)
        let user = record.userName.isEmpty ? nil : record.userName
        return .success(AuditEvent(
            id: id, time: when,
            actor: Actor(id: user, name: user, proxyUser: record.proxyUserName.isEmpty ? nil : record.proxyUserName),
            action: Action(type: record.action, outcome: outcome),
            resource: Resource(type: record.resourceType, name: record.resourceName),
            application: Application(name: record.targetService, component: record.loggerName, host: configuration.host),
            attributes: attributes))
    }
}

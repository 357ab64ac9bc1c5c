import Collector
import Logging
import Tail

/// Turns lines of Denodo's JSON audit file into events (`DenodoRecord`). A line that is not a JSON
/// object is logged with its file and offset, counted and skipped; blank lines are ignored.
struct DenodoAuditReader: TailReader {
    let configuration: DenodoAuditConfiguration
    let time: DenodoTime
    let logger: Logger
    private(set) var malformedLines = 0
    private(set) var overLongLines = 0

    mutating func read(_ chunk: LogTailer.Chunk, file: TailedFile, tailer: LogTailer) -> [Emission] {
        var emissions: [Emission] = []
        chunk.forEachLine { line, start, next in
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return }
            if line.count > configuration.tail.maxLineBytes {
                overLongLines += 1
                logger.warning("over-long line skipped", metadata: ["file": "\(file.path)", "offset": "\(start)", "bytes": "\(line.count)"])
                return
            }
            let bytes = Array(line)
            let fields: [(key: String, value: JSONValue)]
            do {
                guard case .object(let members) = try JSONParser.parse(bytes) else {
                    malformedLines += 1
                    logger.warning("Denodo audit line skipped: not a JSON object", metadata: ["file": "\(file.path)", "offset": "\(start)"])
                    return
                }
                fields = members
            } catch {
                malformedLines += 1
                logger.warning("Denodo audit line skipped: not JSON (\(error))", metadata: ["file": "\(file.path)", "offset": "\(start)"])
                return
            }
            let event = DenodoRecord.event(fields, line: String(decoding: bytes, as: UTF8.self), time: time, host: configuration.host)
            emissions.append(Emission(event, position: tailer.checkpoint(file, offset: next)))
        }
        return emissions
    }
}

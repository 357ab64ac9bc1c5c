#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Collector
import Logging
import Tail

/// Turns chunks of complete lines into emissions: splits lines with `memchr`, lets the parser
/// classify each (most are rejected from their last bytes), feeds lifecycle lines to the job tracker
/// and builds an event for each job-finished line whose state is wanted.
struct KnimeLogReader: TailReader {
    let configuration: KnimeLogConfiguration
    let zone: ZoneOffsetCache
    let logger: Logger
    let tracker = JobTracker()
    let builder: JobEventBuilder
    private(set) var malformedLines = 0
    private(set) var overLongLines = 0

    init(configuration: KnimeLogConfiguration, zone: ZoneOffsetCache, logger: Logger) {
        self.configuration = configuration
        self.zone = zone
        self.logger = logger
        self.builder = JobEventBuilder(host: configuration.host)
    }

    mutating func read(_ chunk: LogTailer.Chunk, file: TailedFile, tailer: LogTailer) -> [Emission] {
        var emissions: [Emission] = []
        let base = chunk.bytes
        let end = chunk.count
        let maxLine = configuration.maxLineBytes
        var start = 0
        while start < end {
            let newline = memchr(base + start, 0x0A, end - start)!
            let lineEnd = UnsafeRawPointer(base).distance(to: newline)
            let length = lineEnd - start
            defer { start = lineEnd + 1 }
            if length > maxLine {
                overLongLines += 1
                logger.warning("over-long line skipped", metadata: [
                    "file": "\(file.path)", "offset": "\(chunk.fileOffset + Int64(start))", "bytes": "\(length)"])
                continue
            }
            let tracker = self.tracker
            switch KnimeLineParser.parse(base + start, count: length, encoding: configuration.encoding, known: { tracker.knowsPath($0) }) {
            case .unrelated:
                continue
            case .malformed(let reason):
                malformedLines += 1
                logger.warning("KNIME line skipped: \(reason)", metadata: [
                    "file": "\(file.path)", "offset": "\(chunk.fileOffset + Int64(start))"])
            case .record(.finished(let finished)):
                defer { tracker.observe(.finished(finished), time: nil) }
                guard configuration.states.contains(finished.state) else { continue }
                let lineOffset = chunk.fileOffset + Int64(start)
                if finished.replacedInvalidUTF8 || finished.timestamp == nil {
                    let details = [finished.replacedInvalidUTF8 ? "bytes not valid UTF-8 replaced by U+FFFD (see encoding)" : nil,
                                   finished.timestamp == nil ? "timestamp does not parse, read time used" : nil]
                    logger.warning("KNIME job end read with a bad detail: \(details.compactMap { $0 }.joined(separator: "; "))", metadata: [
                        "file": "\(file.path)", "offset": "\(lineOffset)", "jobId": "\(finished.jobId)"])
                }
                // A timestamp that does not parse: the time the line was read (the event says so).
                let time = finished.timestamp.map(zone.eventTime) ?? EventTime.now()
                let event = builder.event(finished, time: time, facts: tracker.facts(finished.job),
                                          file: file.path, offset: lineOffset)
                let position = tailer.checkpoint(file, offset: chunk.fileOffset + Int64(lineEnd + 1))
                emissions.append(Emission(event, position: position))
            case .record(let record):
                // Expiry needs only a coarse clock: the line's wall-clock time, without its zone.
                let stamp = TomcatTimestamp.parse(base + start, count: length)
                tracker.observe(record, time: stamp.map(Self.wallClockMilliseconds))
            }
        }
        return emissions
    }

    static func wallClockMilliseconds(_ stamp: TomcatTimestamp) -> Int64 {
        let days = CivilCalendar.daysFromCivil(year: stamp.year, month: stamp.month, day: stamp.day)
        return (Int64(days) * 86_400 + Int64(stamp.hour * 3600 + stamp.minute * 60 + stamp.second)) * 1000 + Int64(stamp.millisecond)
    }
}

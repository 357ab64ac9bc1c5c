#if canImport(Glibc)
import Glibc
#endif
import Collector
import Logging

/// Reads audit events from JSON-lines files once, in order: backfills of audit records written in
/// the collector's JSON shape (or by another system in it), and re-sending dead letters (a line with
/// an `event` object is read as that event).
///
/// The position is the file's index in the sorted list, its path and the byte offset after the last
/// line, so a restart resumes where the acknowledged events end. A malformed line is reported with
/// its file and line number and skipped; it never stops the source.
public struct JSONLinesSource: Source {
    public let configuration: JSONLinesSourceConfiguration
    let logger: Logger

    public func run(_ context: SourceContext) async throws {
        let files = FileIO.glob(configuration.paths).sorted()
        if files.isEmpty { context.logger.warning("no file matches", metadata: ["paths": "\(configuration.paths)"]) }
        var (startIndex, startOffset) = Self.decode(context.checkpoint, files: files)
        let decoder = EventJSONDecoder()
        while startIndex < files.count {
            let path = files[startIndex]
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                context.logger.error("cannot open; skipped", metadata: ["file": "\(path)", "error": "\(FileIO.errorText())"])
                startIndex += 1
                startOffset = 0
                continue
            }
            defer { close(fd) }
            var offset = startOffset
            var lineNumber = 0
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            var batch: [Emission] = []
            while true {
                try Task.checkCancellation()
                let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset + pending.count)) }
                if n <= 0 { break }
                pending.append(contentsOf: chunk[0..<n])
                var lineStart = 0
                while let newline = pending[lineStart...].firstIndex(of: 0x0A) {
                    lineNumber += 1
                    let line = pending[lineStart..<newline]
                    lineStart = newline + 1
                    let position = Self.encode(index: startIndex, path: path, offset: offset + lineStart)
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
                    do {
                        var json = try JSONParser.parse(Array(line))
                        if json["id"] == nil, let inner = json["event"], case .object = inner { json = inner }
                        batch.append(Emission(try decoder.decode(json), position: position))
                    } catch {
                        context.logger.warning("malformed line skipped", metadata: [
                            "file": "\(path)", "line": "\(lineNumber)", "error": "\(error)"])
                    }
                    if batch.count >= 256 {
                        try await context.emit(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                offset += lineStart
                pending.removeFirst(lineStart)
                try await context.emit(batch)
                batch.removeAll(keepingCapacity: true)
                context.advance(to: Self.encode(index: startIndex, path: path, offset: offset))
            }
            if !pending.isEmpty {
                context.logger.warning("last line has no line break; left for a later run", metadata: ["file": "\(path)"])
            }
            startIndex += 1
            startOffset = 0
        }
        context.setIdle(true)
    }

    static func encode(index: Int, path: String, offset: Int) -> Checkpoint {
        Checkpoint("\(index)\t\(offset)\t\(path)")
    }

    static func decode(_ checkpoint: Checkpoint?, files: [String]) -> (index: Int, offset: Int) {
        guard let parts = checkpoint?.text.split(separator: "\t", maxSplits: 2), parts.count == 3,
              let index = Int(parts[0]), let offset = Int(parts[1]) else { return (0, 0) }
        let path = String(parts[2])
        if let found = files.firstIndex(of: path) { return (found, offset) }
        // The file is gone: continue with the files sorted after it.
        return (files.firstIndex { $0 > path } ?? max(index, files.count), 0)
    }
}

public struct JSONLinesSourceConfiguration: Sendable {
    public var paths: [String]
}

/// Makes `jsonl` sources.
public struct JSONLinesSourceFactory: SourceFactory {
    public init() {}
    public var type: String { "jsonl" }
    public var summary: String { "reads events from JSON-lines files once (backfills, dead-letter replays)" }

    public func configuration(_ config: ConfigSection) -> JSONLinesSourceConfiguration {
        let paths = config.strings("paths", doc: "files or glob patterns, read in sorted order")
        if paths.isEmpty, !config.isDescribing { config.report("paths", "at least one path is required") }
        return JSONLinesSourceConfiguration(paths: paths)
    }

    public func makeSource(_ configuration: JSONLinesSourceConfiguration, context: ComponentContext) throws -> any Source {
        JSONLinesSource(configuration: configuration, logger: context.logger)
    }
}

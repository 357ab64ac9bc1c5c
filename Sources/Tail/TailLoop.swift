import Collector
import Logging

/// The run loop of a tailing source: restore from the checkpoint, look at the files (inotify + poll),
/// read every file's new complete lines through the source's `TailReader`, emit, advance, report idle.
///
/// Each event carries as position the offsets of every followed file just after its line; after
/// every chunk without events (or after each batch of events is emitted) the position of the end of
/// what was read is passed to `advance(to:)`, so the engine's checkpoint moves past lines without
/// events once earlier events are acknowledged. `setIdle(true)` is reported whenever every file is
/// read to its last complete line. Runs until the task is cancelled (then throws `CancellationError`).
public enum TailLoop {
    public static func run<Reader: TailReader>(_ context: SourceContext, settings: TailSettings, reader: inout Reader) async throws {
        let logger = context.logger
        let tailer = LogTailer(patterns: settings.paths, maxLineBytes: settings.maxLineBytes,
                               readFromEnd: settings.readFromEnd, logger: logger,
                               goneGrace: .milliseconds(max(2000, 2 * settings.pollIntervalMilliseconds)))
        if let saved = context.checkpoint {
            if let decoded = TailCheckpoint.decode(saved) {
                tailer.restore(decoded)
            } else {
                logger.error("checkpoint is not a tailed-file position; starting from the beginning of every file")
                tailer.restore(TailCheckpoint(entries: []))
            }
        }
        let watcher = InotifyWatcher(folders: tailer.folders)
        if watcher.watchedFolders.isEmpty {
            logger.warning("inotify unavailable for the log folders; polling only",
                           metadata: ["every_ms": "\(settings.pollIntervalMilliseconds)"])
        }
        var idle = false
        var reported = (0, 0)
        // Events are handed over in batches of up to `batchTarget` (fewer, larger sink writes while
        // backfilling); a batch is always flushed when the data read so far is exhausted. `advance`
        // only ever follows the emission of every event before its position.
        var pending: [Emission] = []
        let batchTarget = max(1, settings.batchTarget)
        // The starting position counts as read: with `read_from: end` it is committed even if
        // nothing is read before a stop, so a restart does not skip what was written meanwhile.
        tailer.refresh()
        context.advance(to: tailer.checkpoint())
        while !Task.isCancelled {
            tailer.refresh()
            var readSomething = false
            for file in tailer.files {
                while let chunk = tailer.nextChunk(file) {
                    if idle {
                        idle = false
                        context.setIdle(false)
                    }
                    readSomething = true
                    pending += reader.read(chunk, file: file, tailer: tailer)
                    file.offset = chunk.fileOffset + Int64(chunk.count)
                    if pending.isEmpty {
                        context.advance(to: tailer.checkpoint())
                    } else if pending.count >= batchTarget {
                        try await context.emit(pending)
                        pending.removeAll(keepingCapacity: true)
                        context.advance(to: tailer.checkpoint())
                    }
                }
                if !pending.isEmpty {
                    try await context.emit(pending)
                    pending.removeAll(keepingCapacity: true)
                    context.advance(to: tailer.checkpoint())
                }
            }
            if !readSomething {
                if !idle, tailer.allRead {
                    idle = true
                    context.setIdle(true)
                    let skipped = (reader.malformedLines, reader.overLongLines + tailer.overLongLines)
                    if skipped != reported {
                        reported = skipped
                        logger.warning("lines skipped so far", metadata: [
                            "malformed": "\(skipped.0)", "over_long": "\(skipped.1)"])
                    }
                }
                await watcher.wait(timeoutMilliseconds: settings.pollIntervalMilliseconds)
            }
        }
        throw CancellationError()
    }
}

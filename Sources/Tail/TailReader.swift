import Collector

/// What a line-oriented source supplies to `TailLoop`: it turns chunks of complete lines into events.
///
/// `read` is called on the source's task, one chunk at a time, file by file (older files first).
/// Each emission's position must be `tailer.checkpoint(file, offset: next)` where `next` is the offset
/// just after the event's line (`Chunk.forEachLine` gives it), so that a restart resumes after the
/// last acknowledged line. Lines that give no event need no emission: the loop advances past them.
public protocol TailReader {
    /// The events of the complete lines in `chunk`, read from `file`.
    mutating func read(_ chunk: LogTailer.Chunk, file: TailedFile, tailer: LogTailer) -> [Emission]
    /// Lines skipped so far because they could not be read (malformed, invalid UTF-8).
    var malformedLines: Int { get }
    /// Lines skipped so far by the reader for being longer than `max_line_bytes`.
    var overLongLines: Int { get }
}

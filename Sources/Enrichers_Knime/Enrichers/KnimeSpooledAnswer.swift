import Collector
#if canImport(Glibc)
import Glibc
#endif

/// A raw REST answer kept in a private file instead of memory while its event waits between
/// `knime_job` and `knime_workflow` (a workflow summary is about 0.5 MB, and a full queue between the
/// two enrichers holds up to `queue_capacity` events). The file (0600, not fsync'd: it is only a
/// spill, the event is re-enriched after a crash) is removed when the last copy of the event's
/// context holding it goes away, whether the event was consumed, dropped or failed.
public final class KnimeSpooledAnswer: Sendable {
    /// The spill file.
    public let path: String
    /// Its size in bytes.
    public let count: Int

    init(path: String, count: Int) {
        self.path = path
        self.count = count
    }

    deinit { unlink(path) }

    /// Writes `bytes` to a new file `<directory>/<prefix>-XXXXXX`.
    public static func write(_ bytes: [UInt8], in directory: String, prefix: String) throws -> KnimeSpooledAnswer {
        var template = Array((directory + "/" + prefix + "-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard fd >= 0 else {
            throw CollectorError(.io, "cannot create a spill file: \(FileIO.errorText())", isRetriable: true, context: directory)
        }
        defer { close(fd) }
        do {
            try bytes.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
        } catch {
            unlink(path)
            throw error
        }
        return KnimeSpooledAnswer(path: path, count: bytes.count)
    }

    /// The answer's bytes, read back.
    public func read() throws -> [UInt8] {
        guard let bytes = try FileIO.readAll(path, limit: max(count, 1) + 1), bytes.count == count else {
            throw CollectorError(.io, "the spill file is missing or changed", isRetriable: false, context: path)
        }
        return bytes
    }

    /// Removes the leftovers of an earlier run (spill files whose events were lost with the process).
    static func clear(_ directory: String) {
        for name in FileIO.list(directory) ?? [] where name.hasPrefix("summary-") { unlink(directory + "/" + name) }
    }
}

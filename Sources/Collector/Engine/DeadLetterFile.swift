#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `<data_dir>/dead-letter.jsonl`: events a sink rejected for good, one JSON object per line with the
/// sink, the reason and the event. Appended and fsync'd before the events are acknowledged.
final class DeadLetterFile: Sendable {
    let path: String
    private let lock = Mutex<Void>(())
    private let encoder = EventJSONEncoder()

    init(dataDirectory: String) {
        path = dataDirectory + "/dead-letter.jsonl"
    }

    func append(_ events: [(event: AuditEvent, reason: String)], sink: String) throws {
        guard !events.isEmpty else { return }
        var out: [UInt8] = []
        let now = EventTime.now()
        for (event, reason) in events {
            out += #"{"time":""#.utf8
            RFC3339.append(now, to: &out)
            out += #"","sink":"#.utf8
            JSONText.appendString(sink, to: &out)
            out += #","reason":"#.utf8
            JSONText.appendString(reason, to: &out)
            out += #","event":"#.utf8
            encoder.append(event, to: &out)
            out += "}\n".utf8
        }
        try lock.withLock { _ in
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard fd >= 0 else {
                throw CollectorError(.io, "cannot open: \(FileIO.errorText())", isRetriable: true, context: path)
            }
            defer { close(fd) }
            try out.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
            try FileIO.sync(fd, path: path)
        }
    }
}

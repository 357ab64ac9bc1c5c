import Collector
import Foundation

/// Appends text to a file (created when missing) with one write, as a logger does.
public func append(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw CollectorError(.io, "cannot open", context: path) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    try bytes.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
}

/// log4j's `DefaultRolloverStrategy` (max `keep`): `x.log.keep` deleted, `x.log.i` → `x.log.i+1`,
/// `x.log` → `x.log.1`; the next append creates a new `x.log`.
public func rollOver(_ live: String, keep: Int = 7) {
    unlink("\(live).\(keep)")
    for index in stride(from: keep - 1, through: 1, by: -1) {
        rename("\(live).\(index)", "\(live).\(index + 1)")
    }
    rename(live, "\(live).1")
}

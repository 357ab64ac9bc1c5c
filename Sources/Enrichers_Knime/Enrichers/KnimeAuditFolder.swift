import Collector
#if canImport(Glibc)
import Glibc
#endif

/// The audit folder of one job: `<audit_dir>/<yyyyMMdd>/<jobId>-<yyyyMMddHHmmss>/`, built in a
/// private staging folder next to it and renamed into place, so it appears whole or not at all.
/// Folders are 0750, files 0640 (set explicitly, whatever the umask).
struct KnimeAuditFolder {
    let auditDirectory: String
    let jobID: String
    let time: EventTime

    var day: String {
        let c = time.civil
        return FileIO.zeroPadded(c.year, 4) + FileIO.zeroPadded(c.month, 2) + FileIO.zeroPadded(c.day, 2)
    }

    var name: String {
        let c = time.civil
        return "\(jobID)-" + day + FileIO.zeroPadded(c.hour, 2) + FileIO.zeroPadded(c.minute, 2) + FileIO.zeroPadded(c.second, 2)
    }

    var dayPath: String { auditDirectory + "/" + day }
    var finalPath: String { dayPath + "/" + name }

    /// A job id usable as a file name (KNIME ids are UUIDs; anything else is refused).
    static func isSafe(_ jobID: String) -> Bool {
        !jobID.isEmpty && jobID.count <= 128 && jobID.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// Creates a fresh staging folder (0750) in the day folder.
    func makeStaging() throws -> String {
        try FileIO.makeDirectories(dayPath, mode: 0o750)
        _ = chmod(dayPath, 0o750)
        var template = Array((dayPath + "/.staging-\(name)-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw CollectorError(.io, "cannot create a staging folder: \(FileIO.errorText())", isRetriable: true, context: dayPath)
        }
        let staging = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        _ = chmod(staging, 0o750)
        return staging
    }

    /// Writes a file of the folder (0640, fsync'd).
    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CollectorError(.io, "cannot create: \(FileIO.errorText())", isRetriable: true, context: path) }
        defer { close(fd) }
        _ = fchmod(fd, 0o640)
        try bytes.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
        try FileIO.sync(fd, path: path)
    }

    /// fsyncs the staging folder's files and renames it into place. Returns false (and removes the
    /// staging folder) when the final folder already exists: a re-processed event.
    func commit(_ staging: String) throws -> Bool {
        try FileIO.syncDirectory(staging)
        if rename(staging, finalPath) != 0 {
            let code = errno
            if code == EEXIST || code == ENOTEMPTY {
                Self.removeTree(staging)
                return false
            }
            throw CollectorError(.io, "cannot rename into place: \(FileIO.errorText(code))", isRetriable: true, context: finalPath)
        }
        try FileIO.syncDirectory(dayPath)
        return true
    }

    /// Removes a staging folder this code made (files only one level deep).
    static func removeTree(_ path: String) {
        for name in FileIO.list(path) ?? [] { unlink(path + "/" + name) }
        rmdir(path)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Small POSIX helpers with errors that name the file. Everything durable goes through here.
public enum FileIO {
    public static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Creates a folder and its parents with `mode` (folders that exist are left as they are).
    public static func makeDirectories(_ path: String, mode: mode_t = 0o750) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw CollectorError(.io, "cannot create folder: \(errorText())", context: current)
            }
        }
    }

    public static func readAll(_ path: String, limit: Int = 64 << 20) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw CollectorError(.io, "cannot open: \(errorText())", context: path)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CollectorError(.io, "cannot read: \(errorText())", context: path)
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw CollectorError(.io, "larger than \(limit) bytes", context: path) }
        }
    }

    /// Writes every byte (retrying short writes and EINTR).
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw CollectorError(.io, "cannot write: \(errorText())", isRetriable: true, context: path)
            }
            offset += n
        }
    }

    /// fsyncs an open file; the error names `path`. Every fsync of the product goes through here.
    public static func sync(_ fd: Int32, path: String) throws {
        if fsync(fd) != 0 { throw CollectorError(.io, "fsync failed: \(errorText())", isRetriable: true, context: path) }
    }

    /// fsyncs a file by path (opened read-only), first setting its mode when `mode` is given. The
    /// one way to make a file written elsewhere (a library, a download) durable.
    public static func syncFile(_ path: String, mode: mode_t? = nil) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CollectorError(.io, "cannot open: \(errorText())", isRetriable: true, context: path) }
        defer { close(fd) }
        if let mode, fchmod(fd, mode) != 0 {
            throw CollectorError(.io, "cannot set the mode: \(errorText())", context: path)
        }
        try sync(fd, path: path)
    }

    /// fsyncs a folder so that a rename or create inside it is durable.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw CollectorError(.io, "cannot open folder: \(errorText())", isRetriable: true, context: path) }
        defer { close(fd) }
        try sync(fd, path: path)
    }

    /// Writes a whole file atomically: temp file, fsync, rename, folder fsync.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o640) throws {
        let folder = parent(of: path)
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CollectorError(.io, "cannot create: \(errorText())", isRetriable: true, context: temporary) }
        do {
            try bytes.withUnsafeBytes { try writeAll(fd, $0, path: temporary) }
            try sync(fd, path: temporary)
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            let message = errorText()
            unlink(temporary)
            throw CollectorError(.io, "cannot rename into place: \(message)", isRetriable: true, context: path)
        }
        try syncDirectory(folder)
    }

    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of a path (`/a/b.json` → `b.json`).
    public static func lastComponent(of path: String) -> String {
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// The names in a folder, without `.` and `..`; nil when it cannot be read.
    public static func list(_ folder: String) -> [String]? {
        guard let dir = opendir(folder) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `value` in decimal, left-padded with zeros to `width` digits.
    public static func zeroPadded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }
}

import CArchive

/// Reads an archive file entry by entry, as a stream: only the current entry's data is read, in
/// chunks the caller sizes, so archives of any size are read in bounded memory.
///
/// Not thread-safe; use it from one thread at a time. Every call blocks on file I/O: call it off
/// Swift's cooperative pool. The libarchive handle is freed in `deinit`.
public final class ArchiveReader {
    private let handle: OpaquePointer
    /// The archive file being read.
    public let path: String

    /// Opens `path` for reading. Any format and filter libarchive knows is accepted.
    public init(path: String, blockSize: Int = 64 * 1024) throws {
        guard let handle = archive_read_new() else {
            throw ArchiveError(message: "cannot allocate a libarchive reader", path: path)
        }
        self.handle = handle
        self.path = path
        archive_read_support_filter_all(handle)
        archive_read_support_format_all(handle)
        if archive_read_open_filename(handle, path, blockSize) != ARCHIVE_OK {
            let error = Self.error(handle, path)
            archive_read_free(handle)
            throw error
        }
    }

    deinit {
        archive_read_free(handle)
    }

    /// The next entry's header, or nil at the end of the archive. Unread data of the previous entry is skipped.
    public func next() throws -> ArchiveEntry? {
        var raw: OpaquePointer?
        let status = archive_read_next_header(handle, &raw)
        if status == ARCHIVE_EOF { return nil }
        guard status >= ARCHIVE_WARN, let raw else { throw Self.error(handle, path) }
        let name = archive_entry_pathname_utf8(raw).map { String(cString: $0) }
            ?? archive_entry_pathname(raw).map { String(cString: $0) } ?? ""
        let type = UInt32(archive_entry_filetype(raw))
        var kind: ArchiveEntry.Kind
        var target: String?
        if let hard = archive_entry_hardlink(raw) {
            kind = .hardLink
            target = String(cString: hard)
        } else if type == carchive_ae_ifreg() {
            kind = .file
        } else if type == carchive_ae_ifdir() {
            kind = .directory
        } else if type == carchive_ae_iflnk() {
            kind = .symbolicLink
            target = archive_entry_symlink(raw).map { String(cString: $0) }
        } else {
            kind = .other
        }
        if kind == .file, name.hasSuffix("/") { kind = .directory }
        let size: Int64? = archive_entry_size_is_set(raw) != 0 ? Int64(archive_entry_size(raw)) : nil
        return ArchiveEntry(path: name, kind: kind, declaredSize: size, linkTarget: target,
                            permissions: UInt32(archive_entry_perm(raw)),
                            modificationTime: Int64(archive_entry_mtime(raw)))
    }

    /// Reads up to `buffer.count` bytes of the current entry's data; 0 at its end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = archive_read_data(handle, buffer.baseAddress, buffer.count)
        guard count >= 0 else { throw Self.error(handle, path) }
        return count
    }

    /// Skips the rest of the current entry's data without decompressing it where the format allows.
    public func skipData() throws {
        guard archive_read_data_skip(handle) >= ARCHIVE_WARN else { throw Self.error(handle, path) }
    }

    /// Compressed bytes consumed from the file so far (for compression-ratio limits).
    public var compressedBytesRead: Int64 {
        Int64(archive_filter_bytes(handle, -1))
    }

    static func error(_ handle: OpaquePointer, _ path: String) -> ArchiveError {
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
        return ArchiveError(code: archive_errno(handle), message: message, path: path)
    }
}

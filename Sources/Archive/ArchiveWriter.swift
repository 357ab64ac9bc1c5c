import CArchive

/// Writes a ZIP archive (deflate) to a file, entry by entry, streaming each entry's data.
///
/// Not thread-safe; blocking: call it off Swift's cooperative pool. Call `close()` to finish the
/// archive (its central directory); `deinit` frees the handle, and an archive not closed is incomplete.
public final class ArchiveWriter {
    private let handle: OpaquePointer
    public let path: String
    private var closed = false

    /// Creates (or truncates) `path`.
    public init(path: String, compressionLevel: Int? = nil) throws {
        guard let handle = archive_write_new() else {
            throw ArchiveError(message: "cannot allocate a libarchive writer", path: path)
        }
        self.handle = handle
        self.path = path
        var status = archive_write_set_format_zip(handle)
        if status == ARCHIVE_OK, let compressionLevel {
            status = archive_write_set_format_option(handle, "zip", "compression-level", String(compressionLevel))
        }
        if status == ARCHIVE_OK { status = archive_write_open_filename(handle, path) }
        if status != ARCHIVE_OK {
            let error = ArchiveReader.error(handle, path)
            archive_write_free(handle)
            throw error
        }
    }

    deinit {
        archive_write_free(handle)
    }

    /// Starts an entry. For files, `declaredSize` must be the exact number of bytes `write` will get.
    public func begin(_ entry: ArchiveEntry) throws {
        guard let raw = archive_entry_new() else { throw ArchiveError(message: "cannot allocate an entry", path: path) }
        defer { archive_entry_free(raw) }
        archive_entry_set_pathname_utf8(raw, entry.path)
        switch entry.kind {
        case .directory:
            archive_entry_set_filetype(raw, carchive_ae_ifdir())
        case .symbolicLink:
            archive_entry_set_filetype(raw, carchive_ae_iflnk())
            archive_entry_set_symlink_utf8(raw, entry.linkTarget ?? "")
        default:
            archive_entry_set_filetype(raw, carchive_ae_ifreg())
            archive_entry_set_size(raw, la_int64_t(entry.declaredSize ?? 0))
        }
        archive_entry_set_perm(raw, entry.permissions)
        archive_entry_set_mtime(raw, time_t(entry.modificationTime), 0)
        guard archive_write_header(handle, raw) >= ARCHIVE_WARN else { throw ArchiveReader.error(handle, path) }
    }

    /// Writes data of the current entry.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = archive_write_data(handle, bytes.baseAddress! + offset, bytes.count - offset)
            guard written > 0 else { throw ArchiveReader.error(handle, path) }
            offset += written
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Convenience: one whole file entry.
    public func addFile(_ path: String, _ bytes: [UInt8], permissions: UInt32 = 0o640, modificationTime: Int64 = 0) throws {
        try begin(ArchiveEntry(path: path, kind: .file, declaredSize: Int64(bytes.count),
                               permissions: permissions, modificationTime: modificationTime))
        try write(bytes)
    }

    /// Writes the central directory and closes the file. Idempotent.
    public func close() throws {
        guard !closed else { return }
        closed = true
        guard archive_write_close(handle) == ARCHIVE_OK else { throw ArchiveReader.error(handle, path) }
    }
}

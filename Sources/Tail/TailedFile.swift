/// One file being followed: its identity, an open descriptor while it matters, and the offset of the
/// next unread line. Owned by one `LogTailer`; not thread-safe.
///
/// A source's loop sets `offset` to `chunk.fileOffset + chunk.count` once it has taken a chunk's lines.
public final class TailedFile {
    /// The path it was last seen under ("" until found after a restore).
    public internal(set) var path: String
    public internal(set) var identity: FileIdentity
    /// Open descriptor, or -1 while closed (a file read to its end and idle, or not yet found).
    var fd: Int32 = -1
    /// The start of the next line to read; every byte before it has been handed out as complete lines.
    public var offset: Int64
    /// The size seen at the last look (to notice truncation and growth).
    var lastSize: Int64 = -1
    /// Renamed while followed (a size-rolled `x.log` → `x.log.1`): its writer has moved on.
    public internal(set) var rolled = false
    /// A copytruncate copy found while still shorter than `offset` (being copied): not a truncation.
    var awaitingCopy = false
    /// Inside a line longer than `max_line_bytes`: bytes are skipped until its newline.
    var skipping = false
    /// When the file stopped being reachable under a watched path (renamed away or deleted).
    var goneSince: ContinuousClock.Instant?
    /// When data was last read from it (to close descriptors of idle files).
    var lastActivity: ContinuousClock.Instant

    init(path: String, identity: FileIdentity, offset: Int64, now: ContinuousClock.Instant) {
        self.path = path
        self.identity = identity
        self.offset = offset
        self.lastActivity = now
    }

    /// Whether the descriptor is open.
    public var isOpen: Bool { fd >= 0 }
}

/// The header of one archive entry, as stored (the path is not cleaned: callers decide what is safe).
public struct ArchiveEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case file, directory, symbolicLink, hardLink, other
    }

    /// The path as written in the archive (UTF-8 where libarchive could convert it).
    public var path: String
    public var kind: Kind
    /// The declared uncompressed size, or nil when the header does not say.
    public var declaredSize: Int64?
    /// Link target for symbolic and hard links.
    public var linkTarget: String?
    /// Permission bits.
    public var permissions: UInt32
    /// Modification time, seconds since the epoch.
    public var modificationTime: Int64

    public init(path: String, kind: Kind, declaredSize: Int64? = nil, linkTarget: String? = nil,
                permissions: UInt32 = 0o644, modificationTime: Int64 = 0) {
        self.path = path
        self.kind = kind
        self.declaredSize = declaredSize
        self.linkTarget = linkTarget
        self.permissions = permissions
        self.modificationTime = modificationTime
    }
}

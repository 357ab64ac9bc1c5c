/// A data location a workflow node names: a file-system location, a legacy path or URL entry, or a
/// database fact (connection host/port/database, schema/table, SQL).
public struct KnimeDataLocation: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A new-style file-system location (`location_present` + `path`).
        case fsLocation = "fslocation"
        /// A single entry (legacy path/URL keys, DB facts, SQL).
        case entry
    }

    public enum Role: String, Sendable, Hashable {
        case reader, writer, connector, other
    }

    public enum Origin: String, Sendable, Hashable {
        /// From settings.xml in the archive: the configured value.
        case archive
        /// From the job's workflow summary: flow variables applied, what ran.
        case summary
    }

    /// The node: its settings file inside the archive's root folder (archive) or node id path (summary).
    public var node: String
    /// Key path, e.g. `model/settings/file_selection/path`.
    public var key: String
    public var kind: Kind
    /// File system type (`LOCAL`, `RELATIVE`, `CUSTOM_URL`, ...) for `fslocation`, else empty.
    public var fsType: String
    public var specifier: String
    public var value: String
    public var role: Role = .other
    /// The node's factory class, when known.
    public var factory: String = ""
    /// Name of the flow variable that overrides this setting: the static value is not what ran.
    public var overriddenBy: String?
    public var origin: Origin = .archive

    public init(node: String, key: String, kind: Kind, fsType: String = "", specifier: String = "", value: String) {
        self.node = node
        self.key = key
        self.kind = kind
        self.fsType = fsType
        self.specifier = specifier
        self.value = value
    }

    /// The text reported in the event's `paths` attribute: `fs_type:specifier:value` for file-system
    /// locations other than LOCAL, the bare value otherwise.
    public var display: String {
        if kind == .fsLocation, !fsType.isEmpty, fsType != "LOCAL" {
            return specifier.isEmpty ? "\(fsType):\(value)" : "\(fsType)(\(specifier)):\(value)"
        }
        return value
    }
}

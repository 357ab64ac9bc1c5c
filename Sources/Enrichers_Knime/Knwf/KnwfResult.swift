/// What filtering a workflow archive gave.
public struct KnwfResult: Sendable {
    /// The archive's root folder (the workflow), found from the listing.
    public var rootFolder: String
    /// Paths (relative to the root) copied to the filtered archive, in archive order.
    public var keptEntries: [String]
    /// How many entries were left out (intermediate data and anything not configuration).
    public var droppedEntries: Int
    /// Locations found in the settings.xml files, in archive order.
    public var locations: [KnimeDataLocation]
    /// settings.xml files that could not be parsed (the rest of the archive is still used).
    public var problems: [String]
    /// Root-relative paths of the settings.xml files that could not be parsed (named in `problems`).
    public var unparsedSettings: [String] = []
    /// Entries never read nor written: unsafe (`..`, absolute, link, special file) or outside the
    /// workflow's root folder (top-level files, other top-level folders).
    public var skippedEntries = 0
    /// The first `KnwfProcessor.namedSkippedEntries` of them, as `path (reason)` (control characters
    /// replaced, long paths shortened).
    public var skipped: [String] = []

    /// Counts a skipped entry and names it while fewer than the maximum are named.
    mutating func skip(_ path: String, reason: String) {
        skippedEntries += 1
        guard skipped.count < KnwfProcessor.namedSkippedEntries else { return }
        var shown = String(String.UnicodeScalarView(path.unicodeScalars.map {
            $0.properties.generalCategory == .control ? "?" : $0
        }))
        if shown.count > 200 { shown = String(shown.prefix(200)) + "…" }
        skipped.append("\(shown) (\(reason))")
    }
}

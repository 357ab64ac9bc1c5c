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
}

/// Bounds on what a workflow archive may make the collector read (zip bombs, huge listings).
public struct KnwfLimits: Sendable, Hashable {
    /// Most entries an archive may list.
    public var maxEntries: Int
    /// Most bytes the kept entries may hold once decompressed (and the most any one of them may declare).
    public var maxKeptBytes: Int64
    /// Most bytes all entries together may declare (kept or not).
    public var maxDeclaredBytes: Int64
    /// Highest decompressed/compressed ratio a kept entry may reach once past `ratioFloorBytes`.
    public var maxCompressionRatio: Int64
    public var ratioFloorBytes: Int64
    /// Largest settings.xml parsed.
    public var maxSettingsBytes: Int

    public init(maxEntries: Int = 100_000, maxKeptBytes: Int64 = 256 << 20, maxDeclaredBytes: Int64 = 64 << 30,
                maxCompressionRatio: Int64 = 200, ratioFloorBytes: Int64 = 1 << 20, maxSettingsBytes: Int = 32 << 20) {
        self.maxEntries = maxEntries
        self.maxKeptBytes = maxKeptBytes
        self.maxDeclaredBytes = maxDeclaredBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioFloorBytes = ratioFloorBytes
        self.maxSettingsBytes = maxSettingsBytes
    }
}

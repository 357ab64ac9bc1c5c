/// How `TailLoop` follows a source's files.
public struct TailSettings: Sendable {
    /// Absolute glob patterns; to follow a size-rolled chain, match the rolled names too (`x.log*`).
    public var paths: [String]
    /// Without a checkpoint: start after the last complete line of the existing files.
    public var readFromEnd: Bool
    /// Longer lines are skipped and counted.
    public var maxLineBytes: Int
    /// How often the files are looked at besides inotify wake-ups.
    public var pollIntervalMilliseconds: Int
    /// Events handed to the engine per `emit` while backfilling (fewer if the data read runs out).
    public var batchTarget: Int

    public init(paths: [String], readFromEnd: Bool = false, maxLineBytes: Int = 65_536,
                pollIntervalMilliseconds: Int = 1000, batchTarget: Int = 512) {
        self.paths = paths
        self.readFromEnd = readFromEnd
        self.maxLineBytes = maxLineBytes
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
        self.batchTarget = batchTarget
    }
}

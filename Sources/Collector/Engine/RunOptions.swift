/// How `collector run` runs a pipeline.
public struct RunOptions: Sendable {
    /// Replace every sink with `dryRunSink` and commit no checkpoint.
    public var dryRun: Bool
    /// Stop once every source is idle (end of its input) and every event is acknowledged.
    public var exitWhenIdle: Bool
    /// Makes the sink that replaces every sink in a dry run (the CLI passes a `stdout` sink).
    public var dryRunSink: (@Sendable (ComponentContext) throws -> any Sink)?

    public init(dryRun: Bool = false, exitWhenIdle: Bool = false,
                dryRunSink: (@Sendable (ComponentContext) throws -> any Sink)? = nil) {
        self.dryRun = dryRun
        self.exitWhenIdle = exitWhenIdle
        self.dryRunSink = dryRunSink
    }
}

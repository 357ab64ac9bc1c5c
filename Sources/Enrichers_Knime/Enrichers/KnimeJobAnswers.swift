import Collector

/// What `knime_job` learnt of a job, carried to `knime_workflow` in the event's context (never
/// written by a sink): the server it asked and the raw answers, so that `knime_workflow` writes them
/// into the audit folder without asking again and reaches the same server without a `server` section.
public struct KnimeJobAnswers: Sendable {
    /// The server `knime_job` asked (its client is shared through the pipeline's resources).
    public var server: KnimeClientConfiguration
    /// `GET /jobs/{id}` as answered; nil when it failed.
    public var job: [UInt8]?
    /// The workflow summary as answered, in memory; nil when it failed, was not asked for, or was
    /// spilled to `summaryFile`.
    public var summary: [UInt8]?
    /// The workflow summary as answered, spilled to a file (`knime_job` does so when it has a
    /// `data_dir`, so that events queued before `knime_workflow` do not each hold ~0.5 MB).
    public var summaryFile: KnimeSpooledAnswer?

    public init(server: KnimeClientConfiguration, job: [UInt8]? = nil, summary: [UInt8]? = nil, summaryFile: KnimeSpooledAnswer? = nil) {
        self.server = server
        self.job = job
        self.summary = summary
        self.summaryFile = summaryFile
    }

    /// The workflow summary's bytes, from memory or read back from its spill file; nil when absent.
    public func summaryBytes() throws -> [UInt8]? {
        if let summaryFile { return try summaryFile.read() }
        return summary
    }
}

/// The `EventContext` key of `KnimeJobAnswers`.
public enum KnimeJobAnswersKey: EventContextKey {
    public typealias Value = KnimeJobAnswers
}

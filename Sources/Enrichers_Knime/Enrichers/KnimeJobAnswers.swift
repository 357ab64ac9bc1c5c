import Collector

/// What `knime_job` learnt of a job, carried to `knime_workflow` in the event's context (never
/// written by a sink): the server it asked and the raw answers, so that `knime_workflow` writes them
/// into the audit folder without asking again and reaches the same server without a `server` section.
public struct KnimeJobAnswers: Sendable {
    /// The server `knime_job` asked (its client is shared through the pipeline's resources).
    public var server: KnimeClientConfiguration
    /// `GET /jobs/{id}` as answered; nil when it failed.
    public var job: [UInt8]?
    /// The workflow summary as answered; nil when it failed or was not asked for.
    public var summary: [UInt8]?

    public init(server: KnimeClientConfiguration, job: [UInt8]? = nil, summary: [UInt8]? = nil) {
        self.server = server
        self.job = job
        self.summary = summary
    }
}

/// The `EventContext` key of `KnimeJobAnswers`.
public enum KnimeJobAnswersKey: EventContextKey {
    public typealias Value = KnimeJobAnswers
}

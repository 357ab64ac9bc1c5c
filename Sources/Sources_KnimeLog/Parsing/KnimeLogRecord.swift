/// What one KNIME Server log line tells, as far as auditing is concerned.
enum KnimeLogRecord: Sendable, Hashable {
    /// `Job: <name> (<uuid>) of owner <owner> finished with state <STATE>`.
    case finished(JobFinished)
    /// `WorkflowJobManagerImpl.loadWorkflow Loading workflow '<path>' for user '<user>'`: no job id yet,
    /// bound to the job by the thread's next job line for the same path.
    case loadWorkflow(thread: String, path: String, user: String)
    /// A line naming a job as `'<path> (<name>; <uuid>)'`: the executor's loadWorkflow, `execute` with
    /// `(UUID …)`, the executor assignment (`executor '<id>@<host>'`), reset, generic requests.
    case jobMention(JobMention)
    /// `discardInternal Discarding job '…' (UUID <uuid>)`: the job is gone.
    case discarded(JobKey)
}

struct JobFinished: Sendable, Hashable {
    var timestamp: TomcatTimestamp
    /// The timestamp exactly as logged (part of the event id, so it does not depend on `timezone`).
    var timestampText: String
    var jobId: String
    var job: JobKey
    var jobName: String
    var owner: String
    var state: String
}

struct JobMention: Sendable, Hashable {
    var job: JobKey
    /// nil when the caller said the job is known already (its path and name were read before).
    var path: String?
    var jobName: String?
    var executor: String?
    var thread: String?
}

/// The parser's verdict on one line.
enum LineVerdict: Sendable, Hashable {
    /// Not a line the source needs (by far the most common case; decided from a few bytes).
    case unrelated
    case record(KnimeLogRecord)
    /// A line with a KNIME marker that could not be read: reported and skipped.
    case malformed(String)
}

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
    /// nil when the line's timestamp does not parse (the event then takes the time it was read).
    var timestamp: TomcatTimestamp?
    /// The timestamp exactly as logged (empty when it does not parse).
    var timestampText: String
    var jobId: String
    var job: JobKey
    var jobName: String
    var owner: String
    var state: String
    /// Bytes that are not UTF-8 (under `encoding: utf-8`) became U+FFFD in the name or owner.
    var replacedInvalidUTF8 = false
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
    /// A line with a KNIME marker that could not be read (a job end without job id or state): reported and skipped.
    case malformed(String)
}

import Collector

/// Turns a job-finished line (and what the log said before about the job) into the audit event.
///
/// id = `AuditEvent.deterministicID("knime-job-end", jobId, state)`: what the log and the REST API
/// both know of a job end, so `knime_jobs` (Enrichers_Knime, `KnimeJobEnd.eventID`, same recipe)
/// gives the same end the same id and re-reading the same line gives the same id; time from the line; actor = owner; action = state with its outcome;
/// resource = workflow path (type `workflow`), or the job name (type `job`) when the path was not
/// seen; application `KNIME` / `KNIME Server` / host; attributes jobId, jobName, user, executor,
/// executorHost (when known), logFile, logOffset (byte offset of the line's start); flags
/// `log_decoding: replaced invalid UTF-8` (bytes that were not UTF-8 became U+FFFD) and
/// `time_source: read_time` (the line's timestamp did not parse: the time is when it was read).
struct JobEventBuilder: Sendable {
    var host: String

    func event(_ finished: JobFinished, time: EventTime, facts: JobFacts?, file: String, offset: Int64) -> AuditEvent {
        var attributes = Attributes()
        attributes.append("jobId", finished.jobId)
        attributes.append("jobName", finished.jobName)
        if let user = facts?.user { attributes.append("user", user) }
        if let executor = facts?.executor {
            attributes.append("executor", executor)
            if let at = executor.lastIndex(of: "@") {
                attributes.append("executorHost", String(executor[executor.index(after: at)...]))
            }
        }
        attributes.append("logFile", file)
        attributes.append("logOffset", String(offset))
        if finished.replacedInvalidUTF8 { attributes.append("log_decoding", "replaced invalid UTF-8") }
        if finished.timestamp == nil { attributes.append("time_source", "read_time") }
        let resource = facts?.path.map { Resource(type: "workflow", name: $0) }
            ?? Resource(type: "job", name: finished.jobName)
        return AuditEvent(
            id: AuditEvent.deterministicID("knime-job-end", finished.jobId, finished.state),
            time: time,
            actor: Actor(id: finished.owner, name: finished.owner),
            action: Action(type: finished.state, outcome: KnimeJobState.outcome(finished.state)),
            resource: resource,
            application: Application(name: "KNIME", component: "KNIME Server", host: host),
            attributes: attributes)
    }
}

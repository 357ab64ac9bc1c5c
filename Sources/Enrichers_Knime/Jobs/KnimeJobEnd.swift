import Collector

/// What a KNIME job end is as an audit event, shared by the `knime_jobs` source and (by the same
/// recipe, written in `Sources_KnimeLog`'s `JobEventBuilder`) the `knime_log` source.
public enum KnimeJobEnd {
    /// States in which a job has ended: it will not change any more.
    public static let endStates: Set<String> = ["EXECUTION_FINISHED", "EXECUTION_FAILED", "EXECUTION_FAILED_WITH_CONTENT",
                                                "EXECUTION_CANCELLED", "LOAD_ERROR", "NOT_EXECUTABLE", "DISCARDED", "VANISHED"]
    /// What `knime_jobs` emits unless `states` says otherwise (the same default as `knime_log`).
    public static let defaultStates = ["EXECUTION_FINISHED", "EXECUTION_FAILED", "EXECUTION_FAILED_WITH_CONTENT",
                                       "EXECUTION_CANCELLED", "LOAD_ERROR", "NOT_EXECUTABLE", "DISCARDED", "VANISHED"]

    /// The event id of a job end: the same whichever source saw it (the log or the REST API), so a
    /// consumer that gets it twice can drop the second. Only what both sources know goes in: the
    /// job id (a UUID) and the end state. `knime_log` uses exactly this recipe.
    public static func eventID(jobID: String, state: String) -> String {
        AuditEvent.deterministicID("knime-job-end", jobID, state)
    }

    /// success for FINISHED; failure for FAILED, FAILED_WITH_CONTENT, LOAD_ERROR, NOT_EXECUTABLE,
    /// VANISHED; unavailable for CANCELLED and DISCARDED; unknown otherwise (as `knime_log`).
    public static func outcome(_ state: String) -> Outcome {
        switch state {
        case "EXECUTION_FINISHED", "EXECUTED": .success
        case "EXECUTION_FAILED", "EXECUTION_FAILED_WITH_CONTENT", "LOAD_ERROR", "NOT_EXECUTABLE", "VANISHED": .failure
        case "EXECUTION_CANCELLED", "DISCARDED": .unavailable
        default: .unknown
        }
    }

    /// The event of a job the server lists as ended, in `knime_log`'s shape: actor = owner, action =
    /// state, resource = workflow (or the job name), application KNIME / KNIME Server / `host`,
    /// attributes jobId, jobName, executor.
    static func event(_ job: KnimeJob, state: String, time: EventTime, host: String) -> AuditEvent {
        var attributes = Attributes()
        attributes.append("jobId", job.id)
        if let name = job.name { attributes.append("jobName", name) }
        if let executor = job.executorName { attributes.append("executor", executor) }
        let resource = job.workflow.map { Resource(type: "workflow", name: $0) } ?? Resource(type: "job", name: job.name ?? job.id)
        return AuditEvent(id: eventID(jobID: job.id, state: state), time: time,
                          actor: Actor(id: job.owner, name: job.owner),
                          action: Action(type: state, outcome: outcome(state)), resource: resource,
                          application: Application(name: "KNIME", component: "KNIME Server", host: host),
                          attributes: attributes)
    }

    /// The `VANISHED` event of a job seen running and gone before it was seen ended (discarded in
    /// between): what was known, at `time` (when it was missed, by the collector's clock).
    static func vanished(_ job: KnimeJobsLedger.KnownJob, id: String, time: EventTime, host: String) -> AuditEvent {
        var attributes = Attributes()
        attributes.append("jobId", id)
        if let name = job.name { attributes.append("jobName", name) }
        if let executor = job.executor { attributes.append("executor", executor) }
        attributes.append("lastState", job.state)
        if let created = job.createdAt { attributes.append("createdAt", EventTime(millisecondsSinceEpoch: created).description) }
        if let started = job.startedAt { attributes.append("startedAt", EventTime(millisecondsSinceEpoch: started).description) }
        let resource = job.workflow.map { Resource(type: "workflow", name: $0) } ?? Resource(type: "job", name: job.name ?? id)
        return AuditEvent(id: eventID(jobID: id, state: "VANISHED"), time: time,
                          actor: Actor(id: job.owner, name: job.owner),
                          action: Action(type: "VANISHED", outcome: .failure), resource: resource,
                          application: Application(name: "KNIME", component: "KNIME Server", host: host),
                          attributes: attributes)
    }
}

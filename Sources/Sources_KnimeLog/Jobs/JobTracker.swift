import DequeModule

/// What the log said about one job before it finished.
struct JobFacts: Sendable, Hashable {
    var path: String?
    var jobName: String?
    /// The user the server loaded the workflow for (`loadWorkflow … for user '<user>'`).
    var user: String?
    /// The executor the job was sent to, e.g. `01f57cec-…@node003.clearpeaks.com`.
    var executor: String?
}

/// Correlates lifecycle lines by job id in bounded memory.
///
/// At most `capacity` jobs (and `capacity / 16` threads awaiting their job line) are remembered;
/// older ones are forgotten first, as are jobs not mentioned for `expiryMilliseconds` of log time.
/// A job is forgotten once it finished (its facts are in the event) or was discarded. A job
/// forgotten early still produces its event, only without the facts learnt earlier. Not thread-safe:
/// owned by one source run.
final class JobTracker {
    let capacity: Int
    let expiryMilliseconds: Int64
    private var jobs: [JobKey: (facts: JobFacts, seen: Int64, generation: UInt64)] = [:]
    private var order: Deque<(jobId: JobKey, generation: UInt64)> = []
    private var pendingUsers: [String: (path: String, user: String)] = [:]
    private var pendingOrder: Deque<String> = []
    private var generation: UInt64 = 0

    init(capacity: Int = 50_000, expiryMilliseconds: Int64 = 48 * 3_600_000) {
        self.capacity = max(16, capacity)
        self.expiryMilliseconds = expiryMilliseconds
    }

    var count: Int { jobs.count }

    /// Records a line; `time` is the line's log time in epoch milliseconds (for expiry), if it had one.
    func observe(_ record: KnimeLogRecord, time: Int64?) {
        switch record {
        case .loadWorkflow(let thread, let path, let user):
            if pendingUsers.updateValue((path, user), forKey: thread) == nil {
                pendingOrder.append(thread)
                if pendingOrder.count > max(64, capacity / 16) {
                    pendingUsers[pendingOrder.removeFirst()] = nil
                }
            }
        case .jobMention(let mention):
            var facts = jobs[mention.job]?.facts ?? JobFacts()
            if let path = mention.path { facts.path = path }
            if let name = mention.jobName { facts.jobName = name }
            if let executor = mention.executor { facts.executor = executor }
            if let thread = mention.thread, let pending = pendingUsers[thread], pending.path == facts.path {
                facts.user = pending.user
                pendingUsers[thread] = nil
            }
            if mention.path == nil && mention.executor == nil && mention.thread == nil { break }
            store(mention.job, facts, time: time)
        case .discarded(let job):
            jobs[job] = nil
        case .finished(let finished):
            // The facts went into the event; a job run again is mentioned again before it finishes.
            jobs[finished.job] = nil
        }
        if let time { expire(before: time - expiryMilliseconds) }
    }

    /// What is known about a job.
    func facts(_ job: JobKey) -> JobFacts? { jobs[job]?.facts }

    /// Whether the job's path and name are known (so its later mentions need not be read in full).
    func knowsPath(_ job: JobKey) -> Bool { jobs[job]?.facts.path != nil }

    private func store(_ jobId: JobKey, _ facts: JobFacts, time: Int64?) {
        generation &+= 1
        jobs[jobId] = (facts, time ?? jobs[jobId]?.seen ?? 0, generation)
        order.append((jobId, generation))
        // Stale order entries (a job mentioned again) are dropped as they reach the front.
        while jobs.count > capacity || order.count > capacity * 2 {
            guard let front = order.popFirst() else { break }
            if jobs[front.jobId]?.generation == front.generation { jobs[front.jobId] = nil }
        }
    }

    private func expire(before limit: Int64) {
        while let front = order.first {
            guard let entry = jobs[front.jobId], entry.generation == front.generation else {
                order.removeFirst()
                continue
            }
            guard entry.seen < limit else { return }
            order.removeFirst()
            jobs[front.jobId] = nil
        }
    }
}

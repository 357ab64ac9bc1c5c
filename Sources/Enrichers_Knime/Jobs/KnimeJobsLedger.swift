import Collector

/// What `knime_jobs` remembers between polls and across restarts: its checkpoint.
///
/// - `watermark`: the latest finish time (server clock, ms since the epoch) of a job end emitted
///   from a complete listing. Job ends finished more than `skew` before it were handled already.
/// - `emitted`: the event ids emitted whose finish time is within `skew` below the watermark, so a
///   job end listed again (or late: an executor whose clock is behind) is emitted exactly once.
/// - `running`: jobs seen not yet ended, with what was known of them; one that leaves the listing
///   before it was seen ended is reported `VANISHED`.
///
/// Only the server's times move the watermark: the collector's clock is used for `start_from: now`
/// and for the time of a `VANISHED` event, never to decide what was seen.
struct KnimeJobsLedger: Sendable, Equatable {
    struct KnownJob: Sendable, Equatable {
        var name: String?
        var owner: String?
        var workflow: String?
        var state: String
        var executor: String?
        var createdAt: Int64?
        var startedAt: Int64?
    }

    var watermark: Int64?
    var emitted: [String: Int64] = [:]
    var running: [String: KnownJob] = [:]

    /// A job end to emit.
    struct End {
        var job: KnimeJob
        var state: String
        var time: EventTime
        var eventID: String
    }

    /// What one poll found.
    struct Outcome {
        var ends: [End] = []
        var vanished: [(id: String, job: KnownJob)] = []
        /// Ended jobs the server lists without any date (not emitted: nothing to order them by).
        var undated = 0
    }

    /// Takes one listing into account. `complete` is false when the listing was cut short (the
    /// bound on jobs per poll): then nothing vanishes and the watermark does not move.
    mutating func reconcile(_ jobs: [KnimeJob], complete: Bool, skewMilliseconds: Int64, states: Set<String>) -> Outcome {
        var outcome = Outcome()
        var listed = Set<String>()
        var ends: [(End, Int64)] = []
        for job in jobs where !job.id.isEmpty {
            listed.insert(job.id)
            guard let state = job.state else { continue }
            guard KnimeJobEnd.endStates.contains(state) else {
                running[job.id] = KnownJob(name: job.name, owner: job.owner, workflow: job.workflow, state: state,
                                           executor: job.executorName, createdAt: job.createdAt.map(Self.milliseconds),
                                           startedAt: job.startedAt.map(Self.milliseconds))
                continue
            }
            running[job.id] = nil
            guard states.contains(state) else { continue }
            guard let time = job.finishedAt ?? job.startedAt ?? job.createdAt else {
                outcome.undated += 1
                continue
            }
            let finished = Self.milliseconds(time)
            if let watermark, finished < watermark - skewMilliseconds { continue }
            let id = KnimeJobEnd.eventID(jobID: job.id, state: state)
            guard emitted[id] == nil else { continue }
            emitted[id] = finished
            ends.append((End(job: job, state: state, time: time, eventID: id), finished))
        }
        outcome.ends = ends.sorted { ($0.1, $0.0.eventID) < ($1.1, $1.0.eventID) }.map(\.0)
        guard complete else { return outcome }
        for id in running.keys.sorted() where !listed.contains(id) {
            if let job = running.removeValue(forKey: id), states.contains("VANISHED") { outcome.vanished.append((id, job)) }
        }
        if let latest = ends.map(\.1).max() { watermark = max(watermark ?? latest, latest) }
        if let watermark { emitted = emitted.filter { $0.value >= watermark - skewMilliseconds } }
        return outcome
    }

    static func milliseconds(_ time: EventTime) -> Int64 {
        let nanoseconds = time.nanosecondsSinceEpoch
        return nanoseconds >= 0 ? nanoseconds / 1_000_000 : (nanoseconds - 999_999) / 1_000_000
    }

    // MARK: Checkpoint

    /// `{"v":1,"watermark":…,"emitted":{"<event id>":<ms>,…},"running":{"<job id>":{…},…}}`, keys sorted.
    var checkpoint: Checkpoint {
        var out: [UInt8] = []
        out.reserveCapacity(64 + emitted.count * 60 + running.count * 160)
        out += Array("{\"v\":1".utf8)
        if let watermark { out += Array(",\"watermark\":\(watermark)".utf8) }
        out += Array(",\"emitted\":{".utf8)
        for (index, id) in emitted.keys.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(id, to: &out)
            out += Array(":\(emitted[id]!)".utf8)
        }
        out += Array("},\"running\":{".utf8)
        for (index, id) in running.keys.sorted().enumerated() {
            let job = running[id]!
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(id, to: &out)
            out += Array(":{\"state\":".utf8)
            JSONText.appendString(job.state, to: &out)
            for (key, value) in [("name", job.name), ("owner", job.owner), ("workflow", job.workflow), ("executor", job.executor)] {
                guard let value else { continue }
                out += Array(",\"\(key)\":".utf8)
                JSONText.appendString(value, to: &out)
            }
            if let created = job.createdAt { out += Array(",\"createdAt\":\(created)".utf8) }
            if let started = job.startedAt { out += Array(",\"startedAt\":\(started)".utf8) }
            out.append(UInt8(ascii: "}"))
        }
        out += Array("}}".utf8)
        return Checkpoint(out)
    }

    /// Reads a checkpoint written by `checkpoint`; a damaged one is an error naming what is wrong.
    init(checkpoint: Checkpoint) throws {
        let value: JSONValue
        do {
            value = try JSONParser.parse(checkpoint.bytes)
        } catch {
            throw CollectorError(.checkpoint, "the knime_jobs checkpoint is not JSON: \(error)")
        }
        guard value["v"]?.int64Value == 1, let emitted = value["emitted"]?.objectMembers,
              let running = value["running"]?.objectMembers else {
            throw CollectorError(.checkpoint, "the knime_jobs checkpoint has an unknown layout")
        }
        watermark = value["watermark"]?.int64Value
        for (id, finished) in emitted {
            guard let ms = finished.int64Value else { throw CollectorError(.checkpoint, "knime_jobs checkpoint: emitted.\(id) is not a number") }
            self.emitted[id] = ms
        }
        for (id, job) in running {
            guard let state = job["state"]?.stringValue else { throw CollectorError(.checkpoint, "knime_jobs checkpoint: running.\(id) has no state") }
            self.running[id] = KnownJob(name: job["name"]?.stringValue, owner: job["owner"]?.stringValue,
                                        workflow: job["workflow"]?.stringValue, state: state,
                                        executor: job["executor"]?.stringValue, createdAt: job["createdAt"]?.int64Value,
                                        startedAt: job["startedAt"]?.int64Value)
        }
    }

    init(watermark: Int64? = nil) {
        self.watermark = watermark
    }
}

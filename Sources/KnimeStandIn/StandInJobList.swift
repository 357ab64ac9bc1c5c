import Foundation

/// How the stand-in lists jobs (`GET /jobs/`, Business Hub's `GET /deployments/{id}/jobs`).
public struct StandInJobList: Sendable, Hashable {
    /// Jobs per page; nil lists every job in one answer. Pages are asked with `?offset=&limit=` and
    /// linked by a Mason `@controls.next.href`.
    public var pageSize: Int?
    /// Live mode: a job is listed from its `createdAt`, as `EXECUTING` (no finish date) until its
    /// `finishedAt`, then in its final state, all by the server's clock. Off: every job is listed
    /// finished, whatever the time.
    public var live: Bool
    /// Jobs are discarded (gone from lists, 404 on `GET /jobs/{id}`) this long after finishing.
    public var discardAfterMilliseconds: Int64?
    /// The server's clock (ms since the epoch) when set: tests move it to make jobs end when they
    /// choose. Nil: the wall clock.
    public var manualNow: Int64?

    public init(pageSize: Int? = nil, live: Bool = false, discardAfterMilliseconds: Int64? = nil, manualNow: Int64? = nil) {
        self.pageSize = pageSize
        self.live = live
        self.discardAfterMilliseconds = discardAfterMilliseconds
        self.manualNow = manualNow
    }

    /// The server's time: `manualNow`, or the wall clock.
    public func currentTime() -> Int64 {
        manualNow ?? Self.now()
    }

    /// The server's clock, in milliseconds since the epoch.
    public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    /// What the server shows of `job` at `now`: nil when it does not exist (yet, or any more);
    /// `running` when it has not finished.
    func visible(_ job: StandInJob, now: Int64) -> (job: StandInJob, running: Bool)? {
        if job.behaviour == .discarded { return nil }
        if let discardAfterMilliseconds, now >= job.finishedAt + discardAfterMilliseconds { return nil }
        guard live else { return (job, false) }
        if now < job.createdAt { return nil }
        return (job, now < job.finishedAt)
    }
}

/// A job the stand-in knows, and how it should misbehave.
public struct StandInJob: Sendable, Hashable {
    public enum Behaviour: Sendable, Hashable {
        case normal
        /// `GET /jobs/{id}` (and the summary) answer 404: the job was discarded.
        case discarded
        /// Like KNIME Server's `discardAfterSuccessfulExec`: answers normally until `milliseconds`
        /// after `finishedAt` (wall clock), then 404 as a discarded job.
        case discardedAfterFinish(milliseconds: Int64)
        /// The first `count` calls to each of the job's endpoints answer 500.
        case failing(count: Int)
        /// Every answer about the job waits this long first.
        case slow(milliseconds: Int)
    }

    public var id: String
    public var name: String
    public var owner: String
    public var state: String
    /// Repository path with a leading `/`.
    public var workflow: String
    /// Milliseconds since the epoch.
    public var createdAt: Int64
    public var startedAt: Int64
    public var finishedAt: Int64
    /// For failed jobs: the failing node's name and id, and the message.
    public var errorNode: String?
    public var errorMessage: String?
    public var behaviour: Behaviour
    /// How the dates are written: 0 ISO with zone suffix, 1 epoch seconds with fraction, 2 epoch millis.
    public var dateForm: Int
    /// Business Hub deployment the job belongs to (listed by `GET /deployments/{id}/jobs`).
    public var deployment: String?
    /// Added to every date the server reports (an executor whose clock is off); the job still
    /// finishes, in live mode, at `finishedAt`.
    public var reportedSkewMilliseconds: Int64

    public init(id: String, name: String, owner: String, state: String, workflow: String, createdAt: Int64,
                startedAt: Int64, finishedAt: Int64, errorNode: String? = nil, errorMessage: String? = nil,
                behaviour: Behaviour = .normal, dateForm: Int = 0, deployment: String? = nil,
                reportedSkewMilliseconds: Int64 = 0) {
        self.id = id
        self.name = name
        self.owner = owner
        self.state = state
        self.workflow = workflow
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.errorNode = errorNode
        self.errorMessage = errorMessage
        self.behaviour = behaviour
        self.dateForm = dateForm
        self.deployment = deployment
        self.reportedSkewMilliseconds = reportedSkewMilliseconds
    }
}

import Collector
import Logging

/// `knime_job`: adds what KNIME Server knows of the job named by the event's `jobId` attribute.
///
/// Adds owner (actor when the log had none), `jobState`, `createdAt`/`startedAt`/`finishedAt`,
/// `workflow`, `errorMessage` and `errorNode` (the last ERROR node message), and the data locations
/// of executed nodes from the workflow summary (flow variables applied) as `paths`. Never throws
/// for a failed lookup: a 404 (job discarded) or a server that stays down adds `enrichment_error`
/// and the event goes on with what the log knew.
public struct KnimeJobEnricher: Enricher {
    public struct Configuration: Sendable {
        public var server: KnimeClientConfiguration
        public var maxPaths: Int
        public var summary: Bool

        public init(server: KnimeClientConfiguration, maxPaths: Int = 100, summary: Bool = true) {
            self.server = server
            self.maxPaths = maxPaths
            self.summary = summary
        }
    }

    let configuration: Configuration
    let lease: ResourceLease<KnimeRESTClient>
    var client: KnimeRESTClient { lease.resource }
    let logger: Logger
    /// Where workflow summaries wait for `knime_workflow` (`<data_dir>/<name>`); nil without a data_dir.
    let spoolDirectory: String?

    public init(_ configuration: Configuration, context: ComponentContext) throws {
        self.configuration = configuration
        lease = try KnimeRESTClient.lease(configuration.server, context: context)
        logger = context.logger
        spoolDirectory = context.dataDirectory.isEmpty || context.dryRun ? nil : context.dataDirectory + "/" + context.name
    }

    /// Creates the spill folder and removes what an earlier run left in it.
    public func start() async throws {
        guard let spoolDirectory else { return }
        try FileIO.makeDirectories(spoolDirectory, mode: 0o750)
        KnimeSpooledAnswer.clear(spoolDirectory)
    }

    /// Keeps a workflow summary in a spill file rather than in the event (memory stays bounded however
    /// many events wait for `knime_workflow`); in memory when the file cannot be written.
    func keep(_ summary: [UInt8], in answers: inout KnimeJobAnswers) {
        if let spoolDirectory {
            do {
                if !FileIO.exists(spoolDirectory) { try FileIO.makeDirectories(spoolDirectory, mode: 0o750) }
                answers.summaryFile = try KnimeSpooledAnswer.write(summary, in: spoolDirectory, prefix: "summary")
                return
            } catch {
                logger.warning("workflow summary kept in memory", metadata: ["error": "\(error)"])
            }
        }
        answers.summary = summary
    }

    public func shutdown() async {
        await lease.release()
    }

    /// Adds the job's details, and puts the raw answers in the event's context (`KnimeJobAnswersKey`)
    /// for `knime_workflow`.
    public func enrich(_ event: AuditEvent) async throws -> AuditEvent? {
        guard let jobID = event.attributes["jobId"], !jobID.isEmpty else { return event }
        var event = event
        let deadline = client.jobDeadline()
        var answers = KnimeJobAnswers(server: configuration.server)
        do {
            let (job, raw) = try await client.job(jobID, deadline: deadline)
            answers.job = raw
            Self.apply(job, to: &event)
        } catch {
            KnimePaths.addError("knime_job: \(error)", to: &event)
            logger.warning("job lookup failed", metadata: ["jobId": "\(jobID)", "error": "\(error)"])
            event.context[KnimeJobAnswersKey.self] = answers
            return event
        }
        if configuration.summary {
            do {
                let (summary, raw) = try await client.workflowSummary(jobID, deadline: deadline)
                keep(raw, in: &answers)
                KnimePaths.merge(summary.executedLocations(), into: &event, maximum: configuration.maxPaths)
            } catch {
                KnimePaths.addError("knime_job: workflow summary: \(error)", to: &event)
            }
        }
        event.context[KnimeJobAnswersKey.self] = answers
        return event
    }

    static func apply(_ job: KnimeJob, to event: inout AuditEvent) {
        if let owner = job.owner {
            event.attributes["owner"] = owner
            if event.actor.id == nil || event.actor.id == "" { event.actor.id = owner }
            if event.actor.name == nil || event.actor.name == "" { event.actor.name = owner }
        }
        if let state = job.state { event.attributes["jobState"] = state }
        if let workflow = job.workflow {
            event.attributes["workflow"] = workflow
            if event.resource.type != "workflow" { event.resource = Resource(type: "workflow", name: workflow) }
        }
        if let name = job.name, event.attributes["jobName"] == nil { event.attributes["jobName"] = name }
        if let time = job.createdAt { event.attributes["createdAt"] = time.description }
        if let time = job.startedAt { event.attributes["startedAt"] = time.description }
        if let time = job.finishedAt { event.attributes["finishedAt"] = time.description }
        if let executor = job.executorName, event.attributes["executor"] == nil { event.attributes["executor"] = executor }
        if let error = job.lastError {
            event.attributes["errorMessage"] = error.message
            if !error.node.isEmpty { event.attributes["errorNode"] = error.node }
        }
    }
}

/// Makes `knime_job` enrichers.
public struct KnimeJobEnricherFactory: EnricherFactory {
    public init() {}
    public var type: String { "knime_job" }
    public var summary: String { "adds a KNIME job's details and the data locations its workflow summary shows" }

    public func configuration(_ config: ConfigSection) -> KnimeJobEnricher.Configuration {
        let server = KnimeClientConfiguration.read(config.section("server", doc: "the KNIME Server REST API"))
        let maxPaths = config.int("max_paths", default: 100, range: 1...100_000, doc: "most paths reported; the rest are counted in paths_truncated")
        let summary = config.bool("workflow_summary", default: true, doc: "fetch the workflow summary for the data locations")
        return .init(server: server, maxPaths: maxPaths, summary: summary)
    }

    public func makeEnricher(_ configuration: KnimeJobEnricher.Configuration, context: ComponentContext) throws -> any Enricher {
        try KnimeJobEnricher(configuration, context: context)
    }
}

import Collector
import Foundation
import KnimeStandIn
import Logging
@testable import Enrichers_Knime

/// A started stand-in with the three real workflows and helpers to make log-like events.
struct StandInFixture {
    static let workflows = [
        "/Examples/ChEMBL Bioactive": "01_ChEMBL_bioactive_compunds.knwf",
        "/Examples/Pharmacophores": "Pharmacophores_matrix.knwf",
        "/Team A/Spatial weights": "spatial-weights.knwf",
    ]

    let server: KnimeStandInServer
    let directory: String
    /// What the enrichers of a fixture share, as the pipeline's resources would be.
    let resources = PipelineResources()

    static func start() async throws -> StandInFixture {
        let server = KnimeStandInServer()
        for (path, file) in workflows {
            server.add(StandInWorkflow(path: path, body: .archive(TestFiles.archive(file))))
        }
        try await server.start()
        return StandInFixture(server: server, directory: TestFiles.temporaryDirectory())
    }

    func stop() async {
        await server.stop()
        await resources.shutdownAll()
    }

    static func job(_ number: Int, workflow: String = "/Examples/ChEMBL Bioactive", state: String = "EXECUTION_FINISHED",
                    behaviour: StandInJob.Behaviour = .normal, owner: String = "victor") -> StandInJob {
        let id = String(format: "f9ff25f9-6ac8-489b-ad8e-%012d", number)
        let start: Int64 = 1_714_057_133_000 + Int64(number) * 60_000
        let failed = state.hasPrefix("EXECUTION_FAILED")
        return StandInJob(id: id, name: "\(workflow.split(separator: "/").last!) 2024-04-25 \(number)", owner: owner,
                          state: state, workflow: workflow, createdAt: start - 1_000, startedAt: start,
                          finishedAt: start + 7_390, errorNode: failed ? "Excel Writer 3:294" : nil,
                          errorMessage: failed ? "Execute failed: Invoking Kerberos init (kinit) failed." : nil,
                          behaviour: behaviour, dateForm: number % 3)
    }

    /// The event `knime_log` makes of a job-finished line.
    static func event(for job: StandInJob) -> AuditEvent {
        AuditEvent(id: KnimeJobEnd.eventID(jobID: job.id, state: job.state),
                   time: EventTime(millisecondsSinceEpoch: job.finishedAt, utcOffsetSeconds: 7200),
                   actor: Actor(id: job.owner, name: job.owner),
                   action: Action(type: job.state, outcome: job.state == "EXECUTION_FINISHED" ? .success : .failure),
                   resource: Resource(type: "workflow", name: job.workflow),
                   application: Application(name: "KNIME", component: "KNIME Server", host: "node003"),
                   attributes: ["jobId": job.id, "jobName": job.name])
    }

    func context(_ name: String, pipeline: String = "test-\(UUID().uuidString)") -> ComponentContext {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return ComponentContext(pipeline: pipeline, name: name, dataDirectory: directory, logger: logger, resources: resources)
    }

    func serverConfiguration(retries: Int = 3) -> KnimeClientConfiguration {
        KnimeClientConfiguration(baseURL: server.baseURL, readTimeoutMilliseconds: 10_000, retries: retries,
                                 backoffInitialMilliseconds: 20, backoffMaxMilliseconds: 100, jobDeadlineMilliseconds: 20_000)
    }

    func jobEnricher(pipeline: String, maxPaths: Int = 100) throws -> KnimeJobEnricher {
        try KnimeJobEnricher(.init(server: serverConfiguration(), maxPaths: maxPaths, summary: true),
                             context: context("job", pipeline: pipeline))
    }

    func workflowEnricher(pipeline: String, auditDirectory: String, maxPaths: Int = 100) throws -> KnimeWorkflowEnricher {
        try KnimeWorkflowEnricher(.init(auditDirectory: auditDirectory, server: nil, maxPaths: maxPaths, limits: KnwfLimits()),
                                  context: context("workflow", pipeline: pipeline))
    }
}

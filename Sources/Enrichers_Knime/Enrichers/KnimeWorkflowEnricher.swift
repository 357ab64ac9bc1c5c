import Collector
import Logging
import NIOPosix
import Synchronization

/// `knime_workflow`: archives the job's workflow and adds the data locations its configuration names.
///
/// Downloads `repository{workflow}:data` to a staging folder (streamed, never whole in memory),
/// keeps only configuration (`KnwfProcessor`: intermediate data dropped, unsafe or oversized archives
/// refused), and writes `<audit_dir>/<yyyyMMdd>/<jobId>-<yyyyMMddHHmmss>/` with `job-summary.json`,
/// `workflow-summary.json` and `<jobId>.knwf`, renamed into place whole. Adds `audit_path` and
/// merges the archive's locations into `paths` (no duplicates, `paths_truncated` past the maximum).
/// Archive entries left out as unsafe or outside the workflow's root folder are counted in
/// `archive_skipped_entries` and the first few named in `archive_skipped`; settings.xml files that
/// do not parse are named in `archive_unparsed_settings` (and `enrichment_error`), the other nodes
/// are still read.
/// Processing the same event again finds the folder and reuses it. A failure adds
/// `enrichment_error`; the event always goes on.
public struct KnimeWorkflowEnricher: Enricher {
    public struct Configuration: Sendable {
        public var auditDirectory: String
        /// Own server section; nil to use the `knime_job` enricher's client of the same pipeline.
        public var server: KnimeClientConfiguration?
        public var maxPaths: Int
        public var limits: KnwfLimits

        public init(auditDirectory: String, server: KnimeClientConfiguration? = nil, maxPaths: Int = 100, limits: KnwfLimits = KnwfLimits()) {
            self.auditDirectory = auditDirectory
            self.server = server
            self.maxPaths = maxPaths
            self.limits = limits
        }
    }

    let configuration: Configuration
    let ownLease: ResourceLease<KnimeRESTClient>?
    let context: ComponentContext
    /// Leases on the clients of servers named by events' `KnimeJobAnswers` (this enricher's own
    /// state, released at shutdown; the clients belong to the pipeline).
    let borrowed = Borrowed()
    let logger: Logger

    public init(_ configuration: Configuration, context: ComponentContext) throws {
        self.configuration = configuration
        ownLease = try configuration.server.map { try KnimeRESTClient.lease($0, context: context) }
        self.context = context
        logger = context.logger
    }

    public func start() async throws {
        try FileIO.makeDirectories(configuration.auditDirectory, mode: 0o750)
    }

    public func shutdown() async {
        await ownLease?.release()
        let leases = borrowed.leases.withLock { leases in
            defer { leases = [:] }
            return Array(leases.values)
        }
        for lease in leases { await lease.release() }
    }

    /// The client to use: this enricher's own server, else the one `knime_job` asked (shared through
    /// the pipeline's resources).
    func client(for answers: KnimeJobAnswers?) throws -> KnimeRESTClient? {
        if let ownLease { return ownLease.resource }
        guard let server = answers?.server else { return nil }
        return try borrowed.leases.withLock { leases in
            if let lease = leases[server] { return lease.resource }
            let lease = try KnimeRESTClient.lease(server, context: context)
            leases[server] = lease
            return lease.resource
        }
    }

    /// Archives the job's workflow. Uses the answers `knime_job` left in the event's context (and
    /// removes them, so they are not carried to the sinks); without them, asks the server itself.
    public func enrich(_ event: AuditEvent) async throws -> AuditEvent? {
        guard let jobID = event.attributes["jobId"], !jobID.isEmpty else { return event }
        var event = event
        let carried = event.context[KnimeJobAnswersKey.self]
        event.context[KnimeJobAnswersKey.self] = nil
        guard KnimeAuditFolder.isSafe(jobID) else {
            KnimePaths.addError("knime_workflow: job id \"\(jobID)\" is not usable as a folder name", to: &event)
            return event
        }
        let folder = KnimeAuditFolder(auditDirectory: configuration.auditDirectory, jobID: jobID, time: event.time)
        if FileIO.exists(folder.finalPath) {
            // Re-processed: the folder is complete (it only ever appears whole); read its archive again.
            event.attributes["audit_path"] = folder.finalPath
            let archive = folder.finalPath + "/\(jobID).knwf"
            if FileIO.exists(archive), let result = try? await process(archive, output: nil) {
                KnimePaths.merge(result.locations, into: &event, maximum: configuration.maxPaths)
                Self.note(result, in: &event)
            }
            return event
        }
        let client: KnimeRESTClient
        do {
            guard let found = try self.client(for: carried) else {
                KnimePaths.addError("knime_workflow: no KNIME server configured (give a server section or a knime_job enricher)", to: &event)
                return event
            }
            client = found
        } catch {
            KnimePaths.addError("knime_workflow: \(error)", to: &event)
            return event
        }
        let deadline = client.jobDeadline()
        var answers = carried ?? KnimeJobAnswers(server: client.configuration)
        if carried == nil, event.attributes["enrichment_error"] == nil {
            answers.job = try? await client.job(jobID, deadline: deadline).1
            answers.summary = try? await client.workflowSummary(jobID, deadline: deadline).1
        }
        let staging: String
        do {
            staging = try folder.makeStaging()
        } catch {
            KnimePaths.addError("knime_workflow: \(error)", to: &event)
            return event
        }
        do {
            if let job = answers.job { try KnimeAuditFolder.write(job, to: staging + "/job-summary.json") }
            if let summary = try answers.summaryBytes() { try KnimeAuditFolder.write(summary, to: staging + "/workflow-summary.json") }
            if let workflow = event.attributes["workflow"] ?? (event.resource.type == "workflow" ? event.resource.name : nil) {
                let download = staging + "/.download"
                do {
                    let downloaded = try await client.downloadWorkflow(workflow, to: download, deadline: deadline)
                    event.attributes["workflowArchiveBytes"] = String(downloaded)
                    let result = try await process(download, output: staging + "/\(jobID).knwf")
                    try FileIO.syncFile(staging + "/\(jobID).knwf", mode: 0o640)
                    KnimePaths.merge(result.locations, into: &event, maximum: configuration.maxPaths)
                    event.attributes["workflowRoot"] = result.rootFolder
                    Self.note(result, in: &event)
                    if !result.problems.isEmpty {
                        KnimePaths.addError("knime_workflow: " + result.problems.joined(separator: "; "), to: &event)
                    }
                } catch {
                    KnimePaths.addError("knime_workflow: \(error)", to: &event)
                }
                unlink(download)
            } else {
                KnimePaths.addError("knime_workflow: the workflow path is unknown", to: &event)
            }
            _ = try folder.commit(staging)
            event.attributes["audit_path"] = folder.finalPath
        } catch {
            KnimeAuditFolder.removeTree(staging)
            KnimePaths.addError("knime_workflow: audit folder: \(error)", to: &event)
        }
        return event
    }

    /// Names what the archive pass left out: skipped entries and settings files that did not parse.
    static func note(_ result: KnwfResult, in event: inout AuditEvent) {
        for name in ["archive_skipped_entries", "archive_skipped", "archive_unparsed_settings"] {
            event.attributes.removeAll(named: name)
        }
        if result.skippedEntries > 0 {
            event.attributes["archive_skipped_entries"] = String(result.skippedEntries)
            for skipped in result.skipped { event.attributes.append("archive_skipped", skipped) }
        }
        for file in result.unparsedSettings { event.attributes.append("archive_unparsed_settings", file) }
    }

    final class Borrowed: Sendable {
        let leases = Mutex<[KnimeClientConfiguration: ResourceLease<KnimeRESTClient>]>([:])
    }

    /// Runs the blocking archive work on NIO's thread pool, off the cooperative pool.
    func process(_ input: String, output: String?) async throws -> KnwfResult {
        let limits = configuration.limits
        return try await NIOThreadPool.singleton.runIfActive {
            try KnwfProcessor(limits: limits).process(input: input, output: output)
        }
    }
}

/// Makes `knime_workflow` enrichers.
public struct KnimeWorkflowEnricherFactory: EnricherFactory {
    public init() {}
    public var type: String { "knime_workflow" }
    public var summary: String { "archives a KNIME job's workflow configuration in an audit folder and adds its data locations" }

    public func configuration(_ config: ConfigSection) -> KnimeWorkflowEnricher.Configuration {
        let auditDirectory = config.requiredString("audit_dir", doc: "where the audit folders go")
        let server = config.contains("server")
            ? KnimeClientConfiguration.read(config.section("server", doc: "own KNIME server (default: the knime_job enricher's)"))
            : nil
        if config.isDescribing { _ = KnimeClientConfiguration.read(config.section("server", doc: "own KNIME server (default: the knime_job enricher's)")) }
        let maxPaths = config.int("max_paths", default: 100, range: 1...100_000, doc: "most paths reported; the rest are counted in paths_truncated")
        let limitSection = config.section("limits", doc: "bounds on workflow archives")
        var limits = KnwfLimits()
        limits.maxEntries = limitSection.int("max_entries", default: limits.maxEntries, range: 1...10_000_000)
        limits.maxKeptBytes = Int64(limitSection.int("max_kept_bytes", default: Int(limits.maxKeptBytes), range: 1...(1 << 40)))
        limits.maxCompressionRatio = Int64(limitSection.int("max_compression_ratio", default: Int(limits.maxCompressionRatio), range: 2...100_000))
        limitSection.finish()
        if !config.isDescribing, !auditDirectory.isEmpty, !auditDirectory.hasPrefix("/") {
            config.report("audit_dir", "must be an absolute path")
        }
        return .init(auditDirectory: auditDirectory, server: server, maxPaths: maxPaths, limits: limits)
    }

    public func makeEnricher(_ configuration: KnimeWorkflowEnricher.Configuration, context: ComponentContext) throws -> any Enricher {
        try KnimeWorkflowEnricher(configuration, context: context)
    }
}

import ArgumentParser
import Collector
import Foundation
import KnimeStandIn
import Logging

/// `collector demo`: audits a day of KNIME jobs end to end against the built-in KNIME stand-in.
///
/// Starts the stand-in on 127.0.0.1 (ephemeral port), writes a day of Tomcat job lines into a
/// temporary logs folder, runs `pipelines/knime-audit-demo.json` (knime_log → knime_job →
/// knime_workflow → file (Knox) + stdout) until every line is audited, and tells where the audit
/// folders and the audit file are. Nothing outside the demo folder is touched.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Audit a day of KNIME jobs from a built-in KNIME Server stand-in (no server needed)."
    )

    @Option(help: "The demo pipeline file.")
    var pipeline: String = "pipelines/knime-audit-demo.json"

    @Option(help: "Jobs in the day.")
    var jobs: Int = 24

    @Option(help: "Folder for logs, audit folders and the audit file (default: a new temporary folder).")
    var directory: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "warning"

    func validate() throws {
        guard (1...100_000).contains(jobs) else { throw ValidationError("--jobs is 1 to 100000") }
        try LogLevel.check(logLevel)
    }

    func run() async throws {
        LogLevel.bootstrap(logLevel, fallback: .warning)
        let logger = Logger(label: "collector-demo")
        let root = try directory ?? Self.makeTemporaryDirectory()
        let logs = root + "/logs", audit = root + "/audit", data = root + "/data", auditFile = root + "/out/audit.log"
        for folder in [logs, audit, data, root + "/out"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        }

        let server = KnimeStandInServer()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let yesterday = (now / 86_400_000 - 1) * 86_400_000
        let scenario = try StandInScenario.day(count: jobs, dayStartMilliseconds: yesterday, executedDirectory: root)
        scenario.install(on: server)
        try await server.start()
        let files = try StandInTomcatLog.write(scenario.jobs, to: logs)
        Self.say("KNIME stand-in: \(server.baseURL) (\(scenario.jobs.count) jobs over \(scenario.workflows.count) real workflows exported with intermediate data; a discarded job, a 500, a slow answer)")
        Self.say("Tomcat log: \(files.joined(separator: ", "))")

        let environment = ProcessInfo.processInfo.environment.merging([
            "KNIME_DEMO_URL": server.baseURL, "KNIME_DEMO_LOGS": logs, "KNIME_DEMO_AUDIT": audit,
            "KNIME_DEMO_DATA": data, "KNIME_DEMO_AUDIT_FILE": auditFile,
        ]) { _, new in new }
        let loader = PipelineLoader(registry: Registry.make(), secrets: SecretResolver(mode: .resolve, environment: environment))
        let definition: PipelineDefinition
        do {
            definition = try loader.load(file: pipeline)
        } catch {
            for issue in error.issues { PipelineLoading.printError(issue.description) }
            await server.stop()
            throw exitConfigurationError
        }
        Self.say("running \(pipeline) until every job line is audited …\n")
        let running = Pipeline(definition: definition, options: RunOptions(exitWhenIdle: true), logger: logger)
        do {
            try await running.run()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()

        let folders = Self.auditFolders(audit)
        let lines = (try? String(contentsOfFile: auditFile, encoding: .utf8))?.split(separator: "\n").count ?? 0
        Self.say("")
        Self.say("audited \(lines) job\(lines == 1 ? "" : "s") of \(scenario.jobs.count)")
        Self.say("audit file:    \(auditFile)")
        Self.say("audit folders: \(audit)  (\(folders.count) folders)")
        if let first = folders.first {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: first))?.sorted() ?? []
            Self.say("  e.g. \(first)/  \(contents.joined(separator: "  "))")
        }
    }

    static func auditFolders(_ audit: String) -> [String] {
        let days = (try? FileManager.default.contentsOfDirectory(atPath: audit))?.sorted() ?? []
        return days.flatMap { day in
            ((try? FileManager.default.contentsOfDirectory(atPath: audit + "/" + day))?.sorted() ?? [])
                .filter { !$0.hasPrefix(".") }.map { audit + "/" + day + "/" + $0 }
        }
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "collector-demo-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw ValidationError("cannot create a temporary folder")
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    static func say(_ line: String) { PipelineLoading.printError(line) }
}

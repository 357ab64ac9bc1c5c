import ArgumentParser
import Collector
import Foundation
import KnimeStandIn
import Logging

/// `collector demo`: audits a day of KNIME jobs end to end against the built-in KNIME stand-in.
///
/// Starts the stand-in on 127.0.0.1 (ephemeral port), writes a day of Tomcat job lines into a
/// temporary logs folder, runs `pipelines/knime-audit-demo.json` (knime_log → knime_job →
/// knime_workflow → file (Knox) + stdout) until every line is audited, then prints a table of the
/// audited jobs and where the audit folders, the audit file and the pipeline are (`--raw`: the
/// stdout sink's Knox lines instead of the table). Nothing outside the demo folder is touched.
///
/// `--stand-in-only` serves the stand-in alone (with basic-auth credentials) and writes its Tomcat
/// log, prints `KNIME_DEMO_*` variables for a separate `collector run`, and runs until SIGTERM/SIGINT:
/// the collector can then be tried and measured in its own process.
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

    @Option(help: "trace, debug, info, notice, warning, error or critical (failed lookups show in the table as (!)).")
    var logLevel: String = "error"

    @Flag(help: "Print the audit records (Knox lines) as the pipeline's stdout sink writes them, instead of the summary table.")
    var raw = false

    @Flag(help: "Only serve the KNIME stand-in and write its Tomcat log; print its URL, credentials and folders; run until SIGTERM.")
    var standInOnly = false

    func validate() throws {
        guard (1...100_000).contains(jobs) else { throw ValidationError("--jobs is 1 to 100000") }
        try LogLevel.check(logLevel)
    }

    func run() async throws {
        LogLevel.bootstrap(logLevel, fallback: .error)
        let logger = Logger(label: "collector-demo")
        let root = try directory ?? Self.makeTemporaryDirectory()
        let logs = root + "/logs", audit = root + "/audit", data = root + "/data", auditFile = root + "/out/audit.log"
        for folder in [logs, audit, data, root + "/out"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        }

        if standInOnly { return try await serveStandIn(root: root, logs: logs) }

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
        var definition: PipelineDefinition
        do {
            definition = try loader.load(file: pipeline)
        } catch {
            for issue in error.issues { PipelineLoading.printError(issue.description) }
            await server.stop()
            throw exitConfigurationError
        }
        if !raw { definition.components.removeAll { $0.kind == .sink && $0.type == "stdout" } }
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
        let records = (try? String(contentsOfFile: auditFile, encoding: .utf8))?.split(separator: "\n") ?? []
        // The results on stdout (the --raw lines went there too); progress and warnings on stderr.
        let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        var out: [String] = []
        if !raw {
            let summary = DemoSummary(knoxLines: records, auditRoot: audit)
            out += summary.lines(colour: colour)
            if summary.rows.contains(where: \.error) {
                out.append("(!) the enrichment failed for this job (it is audited all the same): see enrichment_error in the audit file")
            }
        }
        out.append("")
        out.append("audited \(records.count) job\(records.count == 1 ? "" : "s") of \(scenario.jobs.count)")
        out.append("audit file:    \(auditFile)  (Knox lines; --raw prints them)")
        out.append("audit folders: \(audit)/DAY/JOB-TIME/  (\(folders.count) folders)")
        if let first = folders.first {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: first))?.sorted() ?? []
            out.append("  each holds: \(contents.map { $0.hasSuffix(".knwf") ? "JOB.knwf" : $0 }.joined(separator: "  "))")
        }
        out.append("pipeline:      \(pipeline)")
        out.append("real server:   set KNIME_DEMO_URL to its REST API (https://HOST/knime/rest/v4) and KNIME_DEMO_LOGS to its Tomcat logs, "
                   + "then collector run \(pipeline)")
        print(out.joined(separator: "\n"))
    }

    /// `--stand-in-only`: the stand-in with credentials and its Tomcat log, until SIGTERM/SIGINT.
    func serveStandIn(root: String, logs: String) async throws {
        let password = String((0..<20).map { _ in "abcdefghijkmnopqrstuvwxyz23456789".randomElement()! })
        let server = KnimeStandInServer(credentials: "demo:" + password)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let yesterday = (now / 86_400_000 - 1) * 86_400_000
        let scenario = try StandInScenario.day(count: jobs, dayStartMilliseconds: yesterday, executedDirectory: root)
        scenario.install(on: server)
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        try await server.start()
        let files = try StandInTomcatLog.write(scenario.jobs, to: logs)
        // Shell assignments on stdout (a script can read them); values without quotes or spaces.
        for (name, value) in [("KNIME_DEMO_URL", server.baseURL), ("KNIME_DEMO_USER", "demo"), ("KNIME_DEMO_PASSWORD", password),
                              ("KNIME_DEMO_LOGS", logs), ("KNIME_DEMO_LOG", files.joined(separator: ",")),
                              ("KNIME_DEMO_AUDIT", root + "/audit"), ("KNIME_DEMO_DATA", root + "/data"),
                              ("KNIME_DEMO_AUDIT_FILE", root + "/out/audit.log"), ("KNIME_DEMO_JOBS", String(scenario.jobs.count))] {
            print("\(name)=\(value)")
        }
        fflush(nil)
        Self.say("KNIME stand-in: \(server.baseURL) (user demo), \(scenario.jobs.count) jobs in \(files.joined(separator: ", ")); stop with SIGTERM or Ctrl-C")
        for await number in signals {
            Self.say("KNIME stand-in: signal \(number), stopping")
            break
        }
        await server.stop()
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

import ArgumentParser
import Collector
import Logging
import ServiceLifecycle
import Sinks_File

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run pipelines until SIGTERM/SIGINT (then drain and write checkpoints).",
        discussion: "Every pipeline file is checked first; if any is wrong, nothing starts (exit 78)."
    )

    @OptionGroup var files: PipelineFiles

    @Flag(help: "Print events to standard output instead of every sink; commit no checkpoint.")
    var dryRun = false

    @Flag(help: "Exit once every source reached the end of its input and every event is acknowledged.")
    var exitWhenIdle = false

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(help: "Format of events printed by --dry-run: json or knox.")
    var dryRunFormat: String = "json"

    func validate() throws {
        try LogLevel.check(logLevel)
        guard ["json", "knox"].contains(dryRunFormat) else { throw ValidationError("--dry-run-format is json or knox") }
    }

    func run() async throws {
        LogLevel.bootstrap(logLevel, fallback: .info)
        let logger = Logger(label: "collector")
        guard let definitions = PipelineLoading.load(files.pipelines, resolveSecrets: true) else {
            throw exitConfigurationError
        }
        let format: EventFormat = dryRunFormat == "knox" ? .knox(KnoxLayout()) : .json
        let options = RunOptions(dryRun: dryRun, exitWhenIdle: exitWhenIdle) { _ in StdoutSink(format: format) }
        let pipelines = definitions.map { Pipeline(definition: $0, options: options, logger: logger) }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: pipelines.map {
                .init(service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("stopped with an error: \(error)")
            throw ExitCode.failure
        }
    }
}

import ArgumentParser

@main
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "Audit collector: pipelines of sources, enrichers and sinks that never lose an audit event.",
        subcommands: [RunCommand.self, ValidateCommand.self, ComponentsCommand.self, DemoCommand.self,
                      VerifyCommand.self, SealKeygenCommand.self]
    )
}

/// Options every subcommand that loads pipelines shares.
struct PipelineFiles: ParsableArguments {
    @Argument(help: "Pipeline files (JSON).")
    var pipelines: [String]

    func validate() throws {
        if pipelines.isEmpty { throw ValidationError("name at least one pipeline file") }
    }
}

/// EX_CONFIG from sysexits.h: a configuration error.
let exitConfigurationError = ExitCode(78)

import ArgumentParser

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check pipeline files without running them (no I/O beyond reading the files).",
        discussion: "Exits 0 when every file is valid, 78 (EX_CONFIG) with every error otherwise."
    )

    @OptionGroup var files: PipelineFiles

    func run() throws {
        guard let definitions = PipelineLoading.load(files.pipelines, resolveSecrets: false) else {
            throw exitConfigurationError
        }
        for definition in definitions {
            print("\(definition.file): ok (pipeline \(definition.name): \(definition.components.count) components)")
        }
    }
}

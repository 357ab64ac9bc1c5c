import Collector
#if canImport(Glibc)
import Glibc
#endif

/// Loads pipeline files for the CLI, printing every error of every file to standard error.
enum PipelineLoading {
    static func load(_ files: [String], resolveSecrets: Bool) -> [PipelineDefinition]? {
        let loader = PipelineLoader(
            registry: Registry.make(),
            secrets: SecretResolver(mode: resolveSecrets ? .resolve : .checkOnly,
                                    environment: ProcessEnvironment.current()))
        var definitions: [PipelineDefinition] = []
        var failed = false
        for file in files {
            do {
                definitions.append(try loader.load(file: file))
            } catch {
                failed = true
                for issue in error.issues { printError(issue.description) }
                printError("\(file): \(error.issues.count) error\(error.issues.count == 1 ? "" : "s")")
            }
        }
        var seen: [String: String] = [:]
        for definition in definitions {
            if let other = seen[definition.dataDirectory] {
                printError("\(definition.file): data_dir: \(definition.dataDirectory) is also used by \(other); each pipeline needs its own")
                failed = true
            }
            seen[definition.dataDirectory] = definition.file
        }
        return failed ? nil : definitions
    }

    static func printError(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}

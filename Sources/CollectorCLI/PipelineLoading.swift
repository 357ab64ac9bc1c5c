import Collector
import Foundation

/// Loads pipeline files for the CLI, printing every error of every file to standard error.
enum PipelineLoading {
    static func load(_ files: [String], resolveSecrets: Bool) -> [PipelineDefinition]? {
        let loader = PipelineLoader(
            registry: Registry.make(),
            secrets: SecretResolver(mode: resolveSecrets ? .resolve : .checkOnly,
                                    environment: ProcessInfo.processInfo.environment))
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
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

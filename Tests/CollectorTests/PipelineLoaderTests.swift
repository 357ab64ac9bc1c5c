import Collector
import CollectorTestKit
import Foundation
import Testing

@Suite("Pipeline files")
struct PipelineLoaderTests {
    let harness = PipelineHarness(registry: testRegistry(), environment: ["AUDIT_TOKEN": "s3cr3t-value"])

    func issues(_ text: String) -> [ConfigIssue] {
        do {
            _ = try harness.load(text, file: "bad.json")
            return []
        } catch let error as PipelineConfigurationError {
            return error.issues
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test func aValidFileLoads() throws {
        let definition = try harness.load("""
        { "name": "p", "data_dir": "/tmp/x",
          "sources": { "in": { "type": "replay", "count": 3 } },
          "sinks": { "out": { "type": "recording", "inputs": ["in"] } } }
        """)
        #expect(definition.name == "p")
        #expect(definition.components.map(\.name) == ["in", "out"])
    }

    @Test func fiveMistakesGiveFiveLocatedErrors() {
        let found = issues("""
        { "name": "p", "data_dir": "/tmp/x",
          "sources": { "in": { "type": "replay", "count": "three" } },
          "enrichers": {},
          "sinks": {
            "archive": { "type": "file", "inputs": ["in"], "path": "/tmp/a.log", "rotate": { "keep": "seven" } },
            "amq": { "type": "amqp", "inputs": ["in"] },
            "copy": { "type": "recording", "inputs": ["inn"], "fialures": 2 },
            "x": { "type": "file", "inputs": ["in"], "path": "/tmp/b.log", "format": "xml" }
          } }
        """)
        let lines = found.map(\.description)
        #expect(lines.count == 6, "\(lines)")
        #expect(lines.contains("bad.json: sources.in.count: expected an integer, found a string"))
        #expect(lines.contains("bad.json: sinks.archive.rotate.keep: expected an integer, found a string"))
        #expect(lines.contains { $0.hasPrefix("bad.json: sinks.amq.type: unknown sink type \"amqp\"; known types: file, recording, stdout") })
        #expect(lines.contains("bad.json: sinks.copy.fialures: unknown key (did you mean \"failures\"?)"))
        #expect(lines.contains("bad.json: sinks.copy.inputs: \"inn\" is not a source or enricher of this pipeline (did you mean \"in\"?)"))
        #expect(lines.contains { $0.hasPrefix("bad.json: sinks.x.format: \"xml\" is not one of \"json\", \"knox\"") })
    }

    @Test func wiringErrors() {
        let found = issues("""
        { "data_dir": "/tmp/x",
          "sources": { "in": { "type": "replay" }, "unused": { "type": "replay" } },
          "enrichers": { "a": { "type": "nope", "inputs": ["b"] } },
          "sinks": { "out": { "type": "recording", "inputs": ["in", "out"] } } }
        """).map(\.description)
        #expect(found.contains { $0.contains("sources.unused: nothing takes its events") })
        #expect(found.contains { $0.contains("sinks.out.inputs: \"out\" takes its own output") })
        #expect(found.contains { $0.contains("enrichers.a.type: unknown enricher type \"nope\"") })
    }

    @Test func missingRequiredKeysAndSections() {
        let found = issues(#"{ "sources": {}, "sinks": { "f": { "type": "file", "inputs": ["x"] } } }"#).map(\.description)
        #expect(found.contains("bad.json: data_dir: missing required key"))
        #expect(found.contains("bad.json: sources: at least one source is required"))
        #expect(found.contains("bad.json: sinks.f.path: missing required key"))
    }

    @Test func invalidJSONNamesLineAndColumn() {
        let found = issues("{\n  \"name\": \"p\",\n  \"data_dir\": }").map(\.description)
        #expect(found == ["bad.json: invalid JSON: line 3, column 15: unexpected character '}'"])
    }

    @Test func secretsAreReferencesOnlyAndNeverPrinted() throws {
        let text = """
        { "data_dir": "/tmp/x", "sources": { "in": { "type": "replay" } },
          "sinks": { "out": { "type": "stdout", "inputs": ["in"], "time_format": "${env:MISSING_FORMAT}" } } }
        """
        let found = issues(text).map(\.description)
        #expect(found == ["bad.json: sinks.out.time_format: ${env:MISSING_FORMAT}: environment variable MISSING_FORMAT is not set"])

        let secret = Secret(reference: "${env:AUDIT_TOKEN}", value: "s3cr3t-value")
        #expect(!"\(secret)".contains("s3cr3t"))
        #expect(!String(reflecting: secret).contains("s3cr3t"))
        #expect(SecretResolver.parse("${file:relative/path}") == nil)
        #expect(SecretResolver.parse("${file:/etc/pw}") == .file("/etc/pw"))
        let folder = PipelineHarness.temporaryDirectory()
        try "from-file\n".write(toFile: folder + "/pw", atomically: true, encoding: .utf8)
        let resolver = SecretResolver(mode: .resolve, environment: ["A": "from-env"])
        #expect(try resolver.resolve(.file(folder + "/pw")).get() == "from-file")
        #expect(try resolver.resolve(.env("A")).get() == "from-env")
    }

    @Test func literalSecretIsRefused() {
        let diagnostics = ConfigDiagnostics(file: "f.json")
        let section = ConfigSection(path: "enrichers.job.server", object: .object([("password", .string("hunter2"))]),
                                    diagnostics: diagnostics)
        #expect(section.secret("password") == nil)
        #expect(diagnostics.issues.map(\.description) == [
            "f.json: enrichers.job.server.password: secrets are given by reference only: \"${env:NAME}\" or \"${file:/absolute/path}\"",
        ])
        #expect(!diagnostics.issues.map(\.description).joined().contains("hunter2"))
    }

    @Test func enricherCycleIsReported() {
        let found = PipelineLoaderTests.cycleIssues()
        #expect(found.contains { $0.contains("cycle: ") }, "\(found)")
    }

    static func cycleIssues() -> [String] {
        var registry = testRegistry()
        registry.register(PassThroughEnricherFactory())
        let harness = PipelineHarness(registry: registry)
        do {
            _ = try harness.load("""
            { "data_dir": "/tmp/x", "sources": { "in": { "type": "replay" } },
              "enrichers": { "a": { "type": "pass", "inputs": ["in", "b"] }, "b": { "type": "pass", "inputs": ["a"] } },
              "sinks": { "out": { "type": "recording", "inputs": ["b"] } } }
            """)
            return []
        } catch let error as PipelineConfigurationError {
            return error.issues.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }
}

/// An enricher that adds an attribute, or drops events whose index attribute matches `drop_every`.
struct PassThroughEnricherFactory: EnricherFactory {
    var type: String { "pass" }
    var summary: String { "test enricher" }

    struct Configuration: Sendable {
        var dropEvery: Int
        var delayMilliseconds: Int
    }

    func configuration(_ config: ConfigSection) -> Configuration {
        Configuration(dropEvery: config.int("drop_every", default: 0), delayMilliseconds: config.int("delay_ms", default: 0))
    }

    func makeEnricher(_ configuration: Configuration, context: ComponentContext) throws -> any Enricher {
        PassThroughEnricher(name: context.name, configuration: configuration)
    }
}

struct PassThroughEnricher: Enricher {
    let name: String
    let configuration: PassThroughEnricherFactory.Configuration

    func enrich(_ event: AuditEvent) async throws -> AuditEvent? {
        if configuration.delayMilliseconds > 0 { try await Task.sleep(for: .milliseconds(configuration.delayMilliseconds)) }
        let index = Int(event.attributes["jobId"]?.dropFirst(4) ?? "") ?? 0
        if configuration.dropEvery > 0, index % configuration.dropEvery == 0 { return nil }
        var event = event
        event.attributes.append("seen_by", name)
        return event
    }
}

@Suite("Pipeline files: reading from disk")
struct PipelineFileReadingTests {
    let loader = PipelineLoader(registry: testRegistry(), secrets: SecretResolver(mode: .checkOnly, environment: [:]))

    @Test func nameDefaultsToTheFileNameWithoutItsExtension() throws {
        let folder = PipelineHarness.temporaryDirectory("pipeline-name")
        let path = folder + "/nightly.backfill.json"
        try FileIO.writeAtomically(Array("""
        { "data_dir": "/tmp/x", "sources": { "in": { "type": "replay", "count": 1 } },
          "sinks": { "out": { "type": "recording", "inputs": ["in"] } } }
        """.utf8), to: path)
        #expect(try loader.load(file: path).name == "nightly.backfill")
        #expect(FileIO.list(folder) == ["nightly.backfill.json"])
    }

    @Test func aMissingFileIsOneErrorNamingTheFile() {
        do {
            _ = try loader.load(file: "/nonexistent/pipeline.json")
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.issues.first?.description.contains("/nonexistent/pipeline.json") == true)
            #expect(error.issues.first?.description.contains("cannot read the file") == true)
        }
    }

    @Test func pathHelpers() {
        #expect(FileIO.lastComponent(of: "/a/b/c.json") == "c.json")
        #expect(FileIO.lastComponent(of: "c.json") == "c.json")
        #expect(FileIO.lastComponent(of: "/a/b/") == "b")
        #expect(FileIO.zeroPadded(7, 4) == "0007")
        #expect(FileIO.zeroPadded(12345, 4) == "12345")
        #expect(FileIO.list("/nonexistent-folder") == nil)
    }

    @Test func environmentIsReadFromTheProcess() {
        setenv("COLLECTOR_ENV_TEST", "a=b", 1)
        #expect(ProcessEnvironment.current()["COLLECTOR_ENV_TEST"] == "a=b")
    }
}

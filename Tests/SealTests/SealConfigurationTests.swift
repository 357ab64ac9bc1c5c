import Collector
import CollectorTestKit
import Foundation
import Seal
import Sinks_File
import Testing

@Suite("Seal: the file sink's seal option")
struct SealConfigurationTests {
    func issues(_ seal: String, environment: [String: String] = [:]) -> [String] {
        var registry = ComponentRegistry()
        registry.register(ReplaySourceFactory())
        registry.register(FileSinkFactory())
        let harness = PipelineHarness(registry: registry, environment: environment)
        do {
            _ = try harness.load("""
            { "name": "p", "data_dir": "/tmp/x", "sources": { "in": { "type": "replay", "count": 3 } },
              "sinks": { "out": { "type": "file", "inputs": ["in"], "path": "/tmp/a.log", "seal": \(seal) } } }
            """, file: "p.json")
            return []
        } catch let error as PipelineConfigurationError {
            return error.issues.map { "\($0)" }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func theKeyIsASecretByReferenceAndMustBeAKey() throws {
        let key = SealPrivateKey()
        #expect(issues(#"{ "key": "${env:SEAL_KEY}" }"#, environment: ["SEAL_KEY": key.text]).isEmpty)
        let literal = issues("{ \"key\": \"\(key.text)\" }")
        #expect(literal.contains { $0.contains("sinks.out.seal.key") && $0.contains("by reference only") }, "\(literal)")
        #expect(!literal.joined().contains(key.text.suffix(64)), "the key is never printed")
        let wrong = issues(#"{ "key": "${env:SEAL_KEY}" }"#, environment: ["SEAL_KEY": "not a key"])
        #expect(wrong.contains { $0.contains("sinks.out.seal.key") && $0.contains("not an Ed25519 private key") }, "\(wrong)")
        let missing = issues(#"{ "digest_interval_s": 60 }"#)
        #expect(missing.contains { $0.contains("sinks.out.seal.key") && $0.contains("required") }, "\(missing)")
        let typo = issues(#"{ "key": "${env:SEAL_KEY}", "digest_interval": 60 }"#, environment: ["SEAL_KEY": key.text])
        #expect(typo.contains { $0.contains("sinks.out.seal.digest_interval") && $0.contains("digest_interval_s") }, "\(typo)")
    }

    @Test func aFileWrittenBeforeSealingIsNotSealedOver() async throws {
        let fixture = SealFixture()
        defer { fixture.remove() }
        try FileManager.default.createDirectory(atPath: fixture.audit, withIntermediateDirectories: true)
        try (EventJSONEncoder().encode(ReplaySource.sampleEvent(1)) + "\n").write(toFile: fixture.path, atomically: true, encoding: .utf8)
        let sink = fixture.sink()
        do {
            try await sink.start()
            Issue.record("started on an unsealed file")
        } catch {
            #expect("\(error)".contains("not sealed"), "\(error)")
        }
        await sink.shutdown()
    }
}

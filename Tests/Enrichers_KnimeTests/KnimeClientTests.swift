import Collector
import KnimeStandIn
import Testing
@testable import Enrichers_Knime

@Suite("KNIME client decoding")
struct KnimeClientTests {
    @Test("the three date forms")
    func dates() throws {
        let iso = try #require(KnimeDate.parse("2024-04-25T16:58:53.123+02:00[Europe/Madrid]"))
        #expect(iso.nanosecondsSinceEpoch == 1_714_057_133_123_000_000)
        #expect(iso.utcOffsetSeconds == 7200)
        #expect(KnimeDate.parse(1_714_057_133.123)?.nanosecondsSinceEpoch == 1_714_057_133_123_000_000)
        #expect(KnimeDate.parse(1_714_057_133_123)?.nanosecondsSinceEpoch == 1_714_057_133_123_000_000)
        #expect(KnimeDate.parse("2024-04-25T14:58:53Z")?.nanosecondsSinceEpoch == 1_714_057_133_000_000_000)
        #expect(KnimeDate.parse("yesterday") == nil)
    }

    @Test("a job with missing and unknown fields decodes")
    func tolerantJob() throws {
        let job = try KnimeJob(json: Array(#"{"id":"x","state":"EXECUTION_FAILED","surprise":{"a":[1]},"nodeMessages":[{"node":"A 1","messageType":"ERROR","message":"boom"},{"node":"B 2","messageType":"WARNING","message":"meh"}]}"#.utf8), fallbackID: "x")
        #expect(job.owner == nil && job.createdAt == nil)
        #expect(job.lastError?.message == "boom")
        #expect(throws: (any Error).self) { try KnimeJob(json: Array("[1]".utf8), fallbackID: "x") }
    }

    @Test("repository paths are percent-encoded per segment, slashes kept")
    func encoding() {
        #expect(KnimeRESTClient.encodePath("/Team A/Spatial (v2)") == "/Team%20A/Spatial%20%28v2%29")
    }
}

@Suite("KNIME client configuration and auth")
struct KnimeClientConfigurationTests {
    func read(_ json: String, environment: [String: String] = [:]) throws -> (KnimeClientConfiguration, [String]) {
        let diagnostics = ConfigDiagnostics(file: "p.json")
        let section = ConfigSection(path: "enrichers.job.server", object: try JSONParser.parse(json), diagnostics: diagnostics,
                                    secrets: SecretResolver(mode: .resolve, environment: environment))
        let configuration = KnimeClientConfiguration.read(section)
        return (configuration, diagnostics.issues.map(\.description))
    }

    @Test("secrets only by reference; TLS verification on by default; unknown keys named")
    func configuration() throws {
        let (good, none) = try read(#"{"url": "https://k:8443/knime/rest/v4", "username": "u", "password": "${env:PW}"}"#, environment: ["PW": "s3cret"])
        #expect(none.isEmpty)
        #expect(good.verifyTLS)
        #expect(good.password?.value == "s3cret")
        #expect(!"\(good.password!)".contains("s3cret"))
        let (_, literal) = try read(#"{"url": "https://k/x", "username": "u", "password": "s3cret"}"#)
        #expect(literal.contains { $0.contains("enrichers.job.server.password") && $0.contains("by reference") })
        #expect(!literal.joined().contains("s3cret"))
        let (_, typo) = try read(#"{"url": "https://k/x", "verify_tsl": false}"#)
        #expect(typo.contains { $0.contains("verify_tsl") && $0.contains("verify_tls") })
    }

    @Test("basic auth against the stand-in: right credentials pass, none give a 401 (not retried)")
    func basicAuth() async throws {
        let server = KnimeStandInServer(credentials: "auditor:pa55")
        server.add(StandInJob(id: "j1", name: "n", owner: "o", state: "EXECUTION_FINISHED", workflow: "/w",
                              createdAt: 0, startedAt: 0, finishedAt: 0))
        try await server.start()
        defer { Task { await server.stop() } }
        var configuration = KnimeClientConfiguration(baseURL: server.baseURL, username: "auditor",
                                                     password: Secret(reference: "${env:X}", value: "pa55"))
        let client = try KnimeRESTClient(configuration, logger: .init(label: "t"))
        let (job, _) = try await client.job("j1", deadline: client.jobDeadline())
        #expect(job.owner == "o")
        await client.shutdown()
        configuration.username = nil
        configuration.password = nil
        let anonymous = try KnimeRESTClient(configuration, logger: .init(label: "t"))
        let error = await #expect(throws: KnimeClientError.self) { try await anonymous.job("j1", deadline: anonymous.jobDeadline()) }
        #expect(error?.status == 401)
        #expect(server.calls("/jobs/j1") == 2)
        await anonymous.shutdown()
    }
}

@Suite("paths merging")
struct KnimePathsTests {
    @Test("no duplicates, roles, overrides, explicit truncated count")
    func merge() {
        var event = AuditEvent(id: "x", time: EventTime(nanosecondsSinceEpoch: 0), action: Action(type: "EXECUTION_FINISHED", outcome: .success),
                               attributes: ["paths": "/a.csv"])
        var reader = KnimeDataLocation(node: "n", key: "model/DataURL", kind: .entry, value: "/a.csv")
        reader.role = .reader
        var writer = KnimeDataLocation(node: "n", key: "model/file_selection/path", kind: .fsLocation, fsType: "LOCAL", value: "/b.xlsx")
        writer.role = .writer
        writer.overriddenBy = "out_path"
        let extra = (0..<5).map { KnimeDataLocation(node: "n", key: "model/url", kind: .entry, value: "/c\($0)") }
        KnimePaths.merge([reader, writer, writer] + extra, into: &event, maximum: 4)
        #expect(event.attributes.values("paths") == ["/a.csv", "/b.xlsx", "/c0", "/c1"])
        #expect(event.attributes["paths_truncated"] == "3")
        #expect(event.attributes.values("paths_read") == ["/a.csv"])
        #expect(event.attributes.values("paths_written") == ["/b.xlsx"])
        #expect(event.attributes.values("paths_overridden") == ["/b.xlsx <- out_path"])
        KnimePaths.merge(extra, into: &event, maximum: 4)
        #expect(event.attributes["paths_truncated"] == "6")
    }
}

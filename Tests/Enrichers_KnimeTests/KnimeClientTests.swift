import Collector
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

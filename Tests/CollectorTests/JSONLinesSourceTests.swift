import Collector
import CollectorTestKit
import Foundation
import Sources_File
import Testing

@Suite("jsonl source")
struct JSONLinesSourceTests {
    @Test func malformedLinesAreSkippedAndDeadLettersReplayed() async throws {
        let folder = PipelineHarness.temporaryDirectory()
        let good = (0..<5).map { EventJSONEncoder().encode(ReplaySource.sampleEvent($0)) }
        let deadLetter = #"{"time":"2024-01-01T00:00:00.000+00:00","sink":"amq","reason":"rejected","event":"# + good[4] + "}"
        try [good[0], "not json", good[1], #"{"id":"x","time":"yesterday","action":{"type":"a"}}"#, "", good[2]]
            .joined(separator: "\n").appending("\n").write(toFile: folder + "/a.jsonl", atomically: true, encoding: .utf8)
        try [good[3], deadLetter].joined(separator: "\n").appending("\n")
            .write(toFile: folder + "/b.jsonl", atomically: true, encoding: .utf8)
        let recorder = EventRecorder()
        var registry = testRegistry(recorder: recorder)
        registry.register(JSONLinesSourceFactory())
        let harness = PipelineHarness(registry: registry)
        let text = """
        { "data_dir": "\(folder)/data", "sources": { "in": { "type": "jsonl", "paths": ["\(folder)/*.jsonl"] } },
          "sinks": { "out": { "type": "recording", "inputs": ["in"] } } }
        """
        _ = try await harness.runUntilIdle(text)
        #expect(recorder.events == (0..<5).map { ReplaySource.sampleEvent($0) })

        // A second run starts after the acknowledged position: nothing again.
        _ = try await harness.runUntilIdle(text)
        #expect(recorder.events.count == 5)
    }

    @Test func decodesWhatTheEncoderWrites() throws {
        for var event in EncodingTests.events {
            // JSON keeps milliseconds.
            let nanos = event.time.nanosecondsSinceEpoch
            event.time.nanosecondsSinceEpoch = nanos - ((nanos % 1_000_000) + 1_000_000) % 1_000_000
            #expect(try EventJSONDecoder().decode(EventJSONEncoder().encode(event)) == event)
        }
        #expect(RFC3339.parse("2024-04-25T16:59:00.638955+02:00")?.description == "2024-04-25T16:59:00.638+02:00")
        #expect(RFC3339.parse("2024-04-25T16:59:00Z") != nil)
        #expect(RFC3339.parse("2024-13-25T16:59:00Z") == nil)
        #expect(RFC3339.parse("2024-04-25T16:59:00") == nil)
    }
}

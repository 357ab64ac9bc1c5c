import Collector
import CollectorTestKit
import Logging
import Testing
@testable import Enrichers_Knime

/// A spilled answer reads back whole and its file goes when the last reference does.
@Suite("KNIME spilled answers")
struct KnimeSpooledAnswerTests {
    @Test("reads back the bytes written; the file is removed with the last reference")
    func roundTrip() throws {
        let directory = TestFiles.temporaryDirectory()
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var answer: KnimeSpooledAnswer? = try KnimeSpooledAnswer.write(bytes, in: directory, prefix: "summary")
        let path = try #require(answer?.path)
        #expect(FileIO.exists(path))
        #expect(try answer?.read() == bytes)
        var answers = KnimeJobAnswers(server: KnimeClientConfiguration(baseURL: "https://knime.invalid"), summaryFile: answer)
        answer = nil
        #expect(try answers.summaryBytes() == bytes, "the context keeps the file alive")
        answers.summaryFile = nil
        #expect(!FileIO.exists(path), "removed once no event holds it")
    }

    @Test("start removes spill files an earlier run left")
    func leftoversCleared() async throws {
        let directory = TestFiles.temporaryDirectory()
        try FileIO.makeDirectories(directory + "/job")
        try FileIO.writeAtomically([1, 2, 3], to: directory + "/job/summary-abc123")
        let context = ComponentContext(pipeline: "p", name: "job", dataDirectory: directory, logger: .init(label: "test"))
        let enricher = try KnimeJobEnricher(.init(server: KnimeClientConfiguration(baseURL: "https://knime.invalid")), context: context)
        try await enricher.start()
        #expect(!FileIO.exists(directory + "/job/summary-abc123"))
        await enricher.shutdown()
    }
}

import Collector
import CollectorTestKit
import Foundation
import Testing
@testable import Sources_KnimeLog

/// No job end is dropped for a bad detail: a Latin-1 owner, a timestamp that does not parse.
@Suite("knime_log: bad details still make an event")
struct BadDetailTests {
    static let uuid = "f9ff25f9-6ac8-489b-ad8e-0000000000b1"
    static let brokenTimeUUID = "f9ff25f9-6ac8-489b-ad8e-0000000000b2"

    /// A job-finished line whose owner is `José Muñoz` written in ISO-8859-1 (é = E9, ñ = F1).
    static func latin1Line(_ id: String = uuid) -> [UInt8] {
        Array("25-Apr-2024 16:59:00.390 INFO [t] com.knime.X.updateJob Job: W 2024-04-25 (\(id)) of owner Jos".utf8) + [0xE9]
            + Array(" Mu".utf8) + [0xF1] + Array("oz finished with state EXECUTION_FINISHED".utf8)
    }

    static let brokenTimeLine = "25-Foo-2024 99:59:00.390 INFO [t] com.knime.X.updateJob Job: W 2024-04-25 (\(brokenTimeUUID)) of owner victor finished with state EXECUTION_FAILED"

    @Test func latinOwnerUnderEachEncoding() {
        let line = Self.latin1Line()
        guard case .record(.finished(let latin)) = KnimeLineParser.parse(line, encoding: .iso88591) else { Issue.record("no record"); return }
        #expect(latin.owner == "José Muñoz")
        #expect(!latin.replacedInvalidUTF8)
        #expect(latin.jobId == Self.uuid)
        guard case .record(.finished(let utf8)) = KnimeLineParser.parse(line) else { Issue.record("no record"); return }
        #expect(utf8.owner == "Jos\u{FFFD} Mu\u{FFFD}oz")
        #expect(utf8.replacedInvalidUTF8)
        #expect(utf8.state == "EXECUTION_FINISHED")
        // windows-1252 differs from ISO-8859-1 at 0x80...0x9F: 0x80 is the euro sign, 0x92 a quote.
        let windows = Array("25-Apr-2024 16:59:00.390 INFO [t] c.m Job: W (\(Self.uuid)) of owner O".utf8) + [0x92, 0x80]
            + Array(" finished with state EXECUTION_FINISHED".utf8)
        guard case .record(.finished(let cp1252)) = KnimeLineParser.parse(windows, encoding: .windows1252) else { Issue.record("no record"); return }
        #expect(cp1252.owner == "O\u{2019}\u{20AC}")
        // A valid UTF-8 line under UTF-8 is not flagged.
        guard case .record(.finished(let clean)) = KnimeLineParser.parse(Array("25-Apr-2024 16:59:00.390 INFO [t] c.m Job: W (\(Self.uuid)) of owner José finished with state EXECUTION_FINISHED".utf8))
        else { Issue.record("no record"); return }
        #expect(clean.owner == "José")
        #expect(!clean.replacedInvalidUTF8)
    }

    @Test("through the pipeline: Latin-1 owner under iso-8859-1 and utf-8, broken timestamp", arguments: ["iso-8859-1", "utf-8"])
    func pipeline(encoding: String) async throws {
        let folder = PipelineHarness.temporaryDirectory("knime-bad-detail")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = folder + "/localhost.2024-04-25.log"
        let extra = encoding == "utf-8" ? "" : #", "encoding": "\#(encoding)""#
        let before = EventTime.now().nanosecondsSinceEpoch / 1_000_000
        let running = try RunningPipeline(folder: folder, paths: ["localhost.*.log"], extra: extra)
        let bytes = Self.latin1Line() + [0x0A] + Array((Self.brokenTimeLine + "\n").utf8)
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        #expect(fd >= 0)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #expect(await running.waitFor(2))
        let after = EventTime.now().nanosecondsSinceEpoch / 1_000_000
        await running.stop()
        let events = running.recorder.events
        #expect(events.count == 2)
        let latin = try #require(events.first { $0.attributes["jobId"] == Self.uuid })
        if encoding == "utf-8" {
            #expect(latin.actor.id == "Jos\u{FFFD} Mu\u{FFFD}oz")
            #expect(latin.attributes["log_decoding"] == "replaced invalid UTF-8")
        } else {
            #expect(latin.actor.id == "José Muñoz")
            #expect(latin.attributes["log_decoding"] == nil)
        }
        #expect(latin.time.description == "2024-04-25T16:59:00.390+00:00")
        #expect(latin.attributes["time_source"] == nil)
        let broken = try #require(events.first { $0.attributes["jobId"] == Self.brokenTimeUUID })
        #expect(broken.attributes["time_source"] == "read_time")
        #expect(broken.action.type == "EXECUTION_FAILED")
        let read = broken.time.nanosecondsSinceEpoch / 1_000_000
        #expect(read >= before && read <= after, "read time \(read) not in [\(before), \(after)]")
    }

    @Test func encodingOptionIsChecked() {
        let harness = PipelineHarness(registry: testRegistry(recorder: EventRecorder()))
        let text = """
        { "name": "bad", "data_dir": "/tmp/never",
          "sources": { "log": { "type": "knime_log", "encoding": "ebcdic" } },
          "sinks": { "rec": { "type": "recording", "inputs": ["log"] } } }
        """
        do {
            _ = try harness.load(text)
            Issue.record("loaded a bad encoding")
        } catch {
            #expect("\(error)".contains("encoding"))
        }
    }
}

import Collector
import CollectorTestKit
import Foundation
import Logging
import Tail
import Testing
@testable import Sources_Knox

/// knox_audit on real-shaped Knox lines, on files our `knox` format wrote, and on size-rolled files.
@Suite("knox_audit", .serialized)
struct KnoxAuditTests {
    static let seedLines = """
    16/07/15 13:41:42 ||1c8a5a2e-3b4a-4c2b-9d0e-6f6b2a7f0a11|audit|WEBHDFS|guest|||authentication|principal|guest|success|Groups: [users|analysts]
    16/07/15 13:41:42 ||1c8a5a2e-3b4a-4c2b-9d0e-6f6b2a7f0a11|audit|WEBHDFS|guest|sam||identity-mapping|principal|sam|success|Effective User: sam
    16/07/15 13:41:43 ||1c8a5a2e-3b4a-4c2b-9d0e-6f6b2a7f0a11|audit|WEBHDFS|guest|sam||access|uri|/gateway/sandbox/webhdfs/v1/tmp?op=LISTSTATUS|success|Response status: 200
    16/07/15 13:41:43 ||1c8a5a2e-3b4a-4c2b-9d0e-6f6b2a7f0a11|audit|WEBHDFS|guest|sam||dispatch|uri|http://sandbox.example.com:50070/webhdfs/v1/tmp?op=LISTSTATUS&doAs=sam|unavailable|
    16/07/16 08:00:01 |||audit||||admin|deploy|topology|sandbox|success|
    16/07/16 08:00:02 root-1|parent-2|9f0e|audit|HIVE|eve|||authorization|uri|/gateway/sandbox/hive|failure|Access denied|for eve

    """

    func reader(_ configuration: KnoxAuditConfiguration) -> KnoxAuditReader {
        KnoxAuditReader(configuration: configuration, time: KnoxTimeParser(pattern: configuration.timeFormat, zone: .utc)!,
                        logger: Logger(label: "test"))
    }

    func events(_ text: String, _ configuration: KnoxAuditConfiguration) -> [AuditEvent] {
        let r = reader(configuration)
        return text.split(separator: "\n").compactMap { line in
            Array(line.utf8).withUnsafeBufferPointer { try? r.event($0).get() }
        }
    }

    static let configuration = KnoxAuditConfiguration(tail: TailSettings(paths: []), timezone: "UTC", host: "gw1")

    @Test func goldenSeedLines() throws {
        let events = events(Self.seedLines, Self.configuration)
        try #require(events.count == 6)
        let access = events[2]
        #expect(access.time == EventTime(year: 2016, month: 7, day: 15, hour: 13, minute: 41, second: 43))
        #expect(access.actor == Actor(id: "guest", name: "guest", proxyUser: "sam"))
        #expect(access.action == Action(type: "access", outcome: .success))
        #expect(access.resource == Resource(type: "uri", name: "/gateway/sandbox/webhdfs/v1/tmp?op=LISTSTATUS"))
        #expect(access.application == Application(name: "WEBHDFS", component: "audit", host: "gw1"))
        #expect(access.attributes == ["request_id": "1c8a5a2e-3b4a-4c2b-9d0e-6f6b2a7f0a11", "message": "Response status: 200"])
        // Knox's unescaped `|` inside the message stays in the message.
        #expect(events[0].attributes["message"] == "Groups: [users|analysts]")
        #expect(events[5].attributes["message"] == "Access denied|for eve")
        #expect(events[5].attributes == ["root_request_id": "root-1", "parent_request_id": "parent-2", "request_id": "9f0e",
                                         "message": "Access denied|for eve"])
        #expect(events[5].action.outcome == .failure)
        #expect(events[3].action.outcome == .unavailable)
        #expect(events[3].attributes["message"] == nil, "an empty message adds nothing")
        #expect(events[4].actor == Actor())
        #expect(events[4].attributes["system_user_name"] == "admin")
        #expect(events[4].resource == Resource(type: "topology", name: "sandbox"))
        // Ids: from the line, so the three records of one request differ and a re-read gives the same ids.
        #expect(Set(events.map(\.id)).count == 6)
        #expect(self.events(Self.seedLines, Self.configuration).map(\.id) == events.map(\.id))
    }

    @Test func timeFormatAndZone() throws {
        var configuration = Self.configuration
        configuration.timeFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        let madrid = try ZoneInfo.named("Europe/Madrid")
        let r = KnoxAuditReader(configuration: configuration, time: KnoxTimeParser(pattern: configuration.timeFormat, zone: madrid)!,
                                logger: Logger(label: "test"))
        let line = Array("2024-07-01 10:00:00,250 ||r1|audit|HIVE|bob|||access|uri|/x|success|".utf8)
        let event = try line.withUnsafeBufferPointer { try r.event($0).get() }
        #expect(event.time == EventTime(year: 2024, month: 7, day: 1, hour: 10, minute: 0, second: 0, nanosecond: 250_000_000,
                                        utcOffsetSeconds: 7200))
    }

    @Test func badLinesAreReportedAndSkipped() throws {
        var r = reader(Self.configuration)
        let text = "not a knox line\n" + Self.seedLines.split(separator: "\n")[2] + "\n16/07/15 13:41:43 |too|few|columns\n"
        let bytes = Array(text.utf8)
        let tailer = LogTailer(patterns: [], maxLineBytes: 4096, readFromEnd: false, logger: Logger(label: "t"))
        let emissions = bytes.withUnsafeBufferPointer { buffer in
            r.read(LogTailer.Chunk(bytes: buffer.baseAddress!, count: buffer.count, fileOffset: 0), file: Self.dummyFile(tailer), tailer: tailer)
        }
        #expect(emissions.count == 1)
        #expect(r.malformedLines == 2)
    }

    static func dummyFile(_ tailer: LogTailer) -> TailedFile {
        // A real file followed by a real tailer, to stand for "the file a chunk came from".
        let folder = PipelineHarness.temporaryDirectory("knox-dummy")
        let path = folder + "/a.log"
        try? append(path, "x\n")
        let t = LogTailer(patterns: [path], maxLineBytes: 4096, readFromEnd: false, logger: Logger(label: "t"))
        t.refresh()
        return t.files[0]
    }

    /// Events written by the core's `KnoxLayout` (our `knox` format) into a file, read back by
    /// knox_audit through a real pipeline: the same events.
    @Test func roundTripFromOurKnoxFormat() async throws {
        let folder = PipelineHarness.temporaryDirectory("knox-roundtrip")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let time = EventTime(year: 2024, month: 4, day: 25, hour: 16, minute: 59, second: 0, nanosecond: 390_000_000, utcOffsetSeconds: 7200)
        var originals: [AuditEvent] = []
        let awkward = ["plain", "a|b", "semi;colon", "eq=uals", "back\\slash", "line\nbreak", "tab\there", "cr\rhere",
                       "bell\u{07}", "del\u{7F}", "ünïcödé ✓", "\\n literally", "x\\|y", "=;|\\", "", "trailing\\"]
        for (index, value) in awkward.enumerated() {
            var attributes: Attributes = index % 3 == 0 ? ["root_request_id": "root|\(index)", "parent_request_id": "p;\(index)"] : [:]
            if index % 4 == 0 { attributes.append("system_user_name", "sys\(value)") }
            attributes.append("jobId", "job-\(index)")
            attributes.append("value", value)
            attributes.append("na=me;\(index)", value)
            attributes.append("value", "second \(value)")
            let user = index % 5 == 0 ? nil : "user \(value)"
            originals.append(AuditEvent(
                id: "id-\(index)-\(value)", time: time,
                actor: Actor(id: user, name: user, proxyUser: index % 2 == 0 ? "proxy\(value)" : nil),
                action: Action(type: "act|\(value)", outcome: Outcome.allCases[index % 4]),
                resource: Resource(type: "type\(value)", name: "/path/\(value)"),
                application: Application(name: "svc\(value)", component: "comp\(value)", host: "gw1"),
                attributes: attributes))
        }
        let layout = KnoxLayout(timeFormat: TimePattern("yyyy-MM-dd HH:mm:ss.SSSXXX")!, zone: .event)
        var bytes: [UInt8] = []
        for event in originals {
            layout.append(event, to: &bytes)
            bytes.append(0x0A)
        }
        try append(folder + "/gateway-audit.log", String(decoding: bytes, as: UTF8.self))
        var registry = ComponentRegistry()
        registry.register(KnoxAuditSourceFactory())
        let recorder = EventRecorder()
        registry.register(RecordingSinkFactory(recorder: recorder))
        _ = try await PipelineHarness(registry: registry).runUntilIdle("""
        { "name": "roundtrip", "data_dir": "\(folder)/data",
          "sources": { "knox": { "type": "knox_audit", "logs_dir": "\(folder)", "time_format": "yyyy-MM-dd HH:mm:ss.SSSXXX",
                                 "id_from": "request_id", "host": "gw1" } },
          "sinks": { "rec": { "type": "recording", "inputs": ["knox"] } } }
        """)
        let read = recorder.events
        #expect(read.count == originals.count)
        for (original, back) in zip(originals, read) {
            #expect(back == original, "\(original.id)")
        }
    }

    /// Size-rolled gateway-audit.log (.1 … .7) while the collector runs and while it is stopped.
    @Test func sizeRolledWhileRunningAndStoppedEveryRecordOnce() async throws {
        let folder = PipelineHarness.temporaryDirectory("knox-rolled")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = folder + "/gateway-audit.log"
        var written = 0
        func write(_ count: Int) throws {
            var text = ""
            for index in written..<(written + count) {
                text += "24/04/25 10:\(String(format: "%02d:%02d", index / 60 % 60, index % 60)) ||req-\(index)|audit|WEBHDFS|u\(index % 5)|||access|uri|/gateway/x/\(index)|success|Response status: 200\n"
            }
            try append(live, text)
            written += count
        }
        var registry = ComponentRegistry()
        registry.register(KnoxAuditSourceFactory())
        let pipeline = RestartablePipeline(registry: registry, text: """
        { "name": "knox-rolled", "data_dir": "\(folder)/data", "checkpoint_interval_ms": 20,
          "sources": { "knox": { "type": "knox_audit", "logs_dir": "\(folder)", "timezone": "UTC", "host": "gw", "poll_interval_ms": 5000 } },
          "sinks": { "rec": { "type": "recording", "inputs": ["knox"] } } }
        """)
        for _ in 0..<2 {
            try write(10)
            rollOver(live)
        }
        try write(5)
        try pipeline.start()
        for round in 0..<9 {
            try write(8)
            rollOver(live)
            // The chain keeps 7 rolled files: wait for the tailer every third roll so a loaded machine
            // cannot fall behind far enough for the oldest file to be deleted unread.
            if round % 3 == 2 { _ = await pipeline.waitFor(written) }
        }
        try write(3)
        var ids = await pipeline.settle(written) { $0.attributes["request_id"] }
        #expect(ids.count == written && Set(ids) == Set((0..<written).map { "req-\($0)" }), "running: \(ids.count) of \(written)")
        await pipeline.stop()
        try write(6)
        rollOver(live)
        try write(4)
        rollOver(live)
        try write(2)
        try pipeline.start()
        ids = await pipeline.settle(written) { $0.attributes["request_id"] }
        await pipeline.stop()
        #expect(ids.count == written, "after the restart: \(ids.count) events for \(written) records")
        #expect(Set(ids) == Set((0..<written).map { "req-\($0)" }))
    }
}

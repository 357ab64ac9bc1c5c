import Collector
import CollectorTestKit
import Enrichers_Mask
import Foundation
import Logging
import Tail
import Testing
@testable import Sources_Denodo

/// denodo_audit on the seed's record shape: every State, missing and unknown fields, a line that is
/// not JSON, size-rolled files, and the masking pipeline of pipelines/denodo-audit.json.
@Suite("denodo_audit", .serialized)
struct DenodoAuditTests {
    static func record(_ index: Int, state: String = "OK", extra: String = "") -> String {
        """
        {"StartTime":"2024-03-06T10:15:\(String(format: "%02d", index % 60)).123+01:00","EndTime":"2024-03-06T10:15:\(String(format: "%02d", index % 60)).456+01:00","Elapsed Milliseconds":333,"SessionId":"s-\(index)","ClientIP":"10.0.0.\(index % 250)","UserName":"maria","UserAuthenticationMethod":"LOCAL","UserBatchMode":false,"UserPermissions":["admin","jobs"],"RequestType":"CREATE","ElementTypes":["Job"],"AffectedElements":[{"id":\(index),"name":"load_sales"}],"Endpoint":"createJob(String, Job)","Arguments":"projectName=sales, password=s3cret","State":"\(state)","Warnings":null,"Thread Name":"http-nio-9090-exec-\(index % 4)","ThreadID":\(40 + index % 4),"LogLevel":"INFO"\(extra)}
        """
    }

    static let lines = [
        record(1),
        record(2, state: "ERROR"),
        record(3, state: "WARNING").replacingOccurrences(of: #""Warnings":null"#, with: #""Warnings":"job 7 could not be started""#),
        #"{"UserName":"joe","RequestType":"DELETE","NewField":{"a":[1,2]}}"#,
        "this is not JSON",
        #"{"StartTime":"2024-03-06 10:20:00.5","State":"SOMETHING","RequestType":"START","ElementTypes":"Project","AffectedElements":"sales"}"#,
        "[1,2,3]",
    ]

    func read(_ lines: [String], zone: ZoneInfo = .utc) throws -> (events: [AuditEvent], malformed: Int) {
        let folder = PipelineHarness.temporaryDirectory("denodo-golden")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/scheduler-requests.json"
        try append(path, lines.joined(separator: "\n") + "\n")
        let tailer = LogTailer(patterns: [path], maxLineBytes: 1 << 20, readFromEnd: false, logger: Logger(label: "t"))
        tailer.refresh()
        let file = try #require(tailer.files.first)
        var reader = DenodoAuditReader(configuration: DenodoAuditConfiguration(tail: TailSettings(paths: [path]), host: "sched1"),
                                       time: DenodoTime(zone: zone), logger: Logger(label: "t"))
        var events: [AuditEvent] = []
        while let chunk = tailer.nextChunk(file) {
            events += reader.read(chunk, file: file, tailer: tailer).map(\.event)
            file.offset = chunk.fileOffset + Int64(chunk.count)
        }
        return (events, reader.malformedLines)
    }

    @Test func goldenRecords() throws {
        let (events, malformed) = try read(Self.lines, zone: try ZoneInfo.named("Europe/Madrid"))
        #expect(malformed == 2, "the non-JSON line and the JSON array are skipped")
        try #require(events.count == 5)
        let ok = events[0]
        #expect(ok.time == EventTime(year: 2024, month: 3, day: 6, hour: 10, minute: 15, second: 1, nanosecond: 123_000_000, utcOffsetSeconds: 3600))
        #expect(ok.actor == Actor(id: "maria", name: "maria", clientIP: "10.0.0.1", authMethod: "LOCAL", session: "s-1"))
        #expect(ok.action == Action(type: "CREATE", outcome: .success))
        #expect(ok.resource == Resource(type: "Job", name: #"[{"id":1,"name":"load_sales"}]"#))
        #expect(ok.application == Application(name: "Denodo", component: "Scheduler", host: "sched1"))
        #expect(ok.attributes == [
            "EndTime": "2024-03-06T10:15:01.456+01:00", "Elapsed Milliseconds": "333", "UserBatchMode": "false",
            "UserPermissions": "admin,jobs", "Endpoint": "createJob(String, Job)", "Arguments": "projectName=sales, password=s3cret",
            "State": "OK", "Thread Name": "http-nio-9090-exec-1", "ThreadID": "41", "LogLevel": "INFO",
        ])
        #expect(events[1].action.outcome == .failure)
        #expect(events[2].action.outcome == .success)
        #expect(events[2].attributes["Warnings"] == "job 7 could not be started")
        // Missing fields: no time (the collector's clock, marked), unknown fields kept.
        #expect(events[3].attributes["time_missing"] == "true")
        #expect(events[3].attributes["NewField"] == #"{"a":[1,2]}"#)
        #expect(events[3].actor == Actor(id: "joe", name: "joe"))
        #expect(events[3].action == Action(type: "DELETE", outcome: .unknown))
        // No offset in the time: the configured zone (Madrid, +01:00 in March); unknown State: unknown.
        #expect(events[4].time == EventTime(year: 2024, month: 3, day: 6, hour: 10, minute: 20, second: 0, nanosecond: 500_000_000, utcOffsetSeconds: 3600))
        #expect(events[4].action == Action(type: "START", outcome: .unknown))
        #expect(events[4].resource == Resource(type: "Project", name: "sales"))
        // Ids from the line: a re-read gives the same ids.
        #expect(try read(Self.lines, zone: try ZoneInfo.named("Europe/Madrid")).events.map(\.id) == events.map(\.id))
        #expect(Set(events.map(\.id)).count == 5)
    }

    /// scheduler-requests.json rolled by size to .1 … .7 while running and while stopped; masked on the way.
    @Test func sizeRolledWhileRunningAndStoppedEveryRecordOnceAndMasked() async throws {
        let folder = PipelineHarness.temporaryDirectory("denodo-rolled")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = folder + "/scheduler-requests.json"
        var written = 0
        func write(_ count: Int) throws {
            try append(live, (written..<(written + count)).map { Self.record($0) + "\n" }.joined())
            written += count
        }
        var registry = ComponentRegistry()
        registry.register(DenodoAuditSourceFactory())
        registry.register(MaskEnricherFactory())
        let pipeline = RestartablePipeline(registry: registry, text: """
        { "name": "denodo-rolled", "data_dir": "\(folder)/data", "checkpoint_interval_ms": 20,
          "sources": { "denodo": { "type": "denodo_audit", "logs_dir": "\(folder)", "timezone": "UTC", "host": "sched1", "poll_interval_ms": 5000 } },
          "enrichers": { "mask": { "type": "mask", "inputs": ["denodo"], "ip": false } },
          "sinks": { "rec": { "type": "recording", "inputs": ["mask"] } } }
        """)
        try write(7)
        rollOver(live)
        try write(5)
        try pipeline.start()
        for round in 0..<9 {
            try write(6)
            rollOver(live)
            // The chain keeps 7 rolled files: a tailer that falls 8 rolls behind (a loaded machine) would
            // rightly lose the oldest; wait for it every third roll so the test is about following, not racing.
            if round % 3 == 2 { _ = await pipeline.waitFor(written) }
        }
        try write(2)
        var sessions = await pipeline.settle(written) { $0.actor.session }
        #expect(sessions.count == written && Set(sessions) == Set((0..<written).map { "s-\($0)" }), "running: \(sessions.count) of \(written)")
        await pipeline.stop()
        try write(4)
        rollOver(live)
        rollOver(live)
        try write(3)
        try pipeline.start()
        sessions = await pipeline.settle(written) { $0.actor.session }
        await pipeline.stop()
        #expect(sessions.count == written, "after the restart: \(sessions.count) events for \(written) records")
        #expect(Set(sessions) == Set((0..<written).map { "s-\($0)" }))
        let events = pipeline.recorder.events
        #expect(events.allSatisfy { $0.attributes["Arguments"] == "projectName=sales, password=****" }, "passwords always masked")
        #expect(events.allSatisfy { $0.actor.name == "****" && $0.application.host == "****" }, "users and hosts masked by default")
        #expect(events.allSatisfy { $0.actor.clientIP?.hasPrefix("10.0.0.") == true }, "ip: false keeps addresses")
    }
}

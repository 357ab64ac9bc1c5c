import Collector
import Foundation
import Testing

@Suite("Encodings")
struct EncodingTests {
    /// Events that exercise every field and every character the formats must escape.
    static let events: [AuditEvent] = [
        AuditEvent(
            id: "f9ff25f9-6ac8-489b-ad8e-73c421f8b119",
            time: EventTime(year: 2024, month: 4, day: 25, hour: 16, minute: 59, second: 0, nanosecond: 390_000_000,
                            utcOffsetSeconds: 7200),
            actor: Actor(id: "victor", name: "victor"),
            action: Action(type: "EXECUTION_FAILED", outcome: .failure),
            resource: Resource(type: "workflow", name: "/TeamA/TestWorkflow"),
            application: Application(name: "KNIME", component: "KNIME Server", host: "node003.clearpeaks.com"),
            attributes: [("jobId", "f9ff25f9-6ac8-489b-ad8e-73c421f8b119"),
                         ("errorMessage", "Execute failed: Invoking Kerberos init (kinit) failed."),
                         ("paths", "/knime/data/test.csv"), ("paths", "/knime/data/out.xlsx")].reduce(into: Attributes()) {
                $0.append($1.0, $1.1)
            }),
        AuditEvent(
            id: "00000000-0000-0000-0000-000000000001",
            time: EventTime(year: 1999, month: 12, day: 31, hour: 23, minute: 59, second: 59, nanosecond: 999_999_999,
                            utcOffsetSeconds: -18000),
            actor: Actor(id: "u1", name: "Ana María | \"quoted\"", proxyUser: "svc\\proxy", clientIP: "10.0.0.1",
                         authMethod: "kerberos", session: "s-1"),
            action: Action(type: "access", outcome: .unavailable),
            resource: Resource(type: "uri", name: "/gateway/sandbox/webhdfs/v1/tmp?op=LISTSTATUS"),
            application: Application(name: "WEBHDFS", component: "audit\nlogger", host: "knox-1"),
            attributes: ["message": "line one\nline two\r\ttabbed; a=b | pipe \\ back \u{1}", "empty": ""]),
        AuditEvent(
            id: "id-3",
            time: EventTime(millisecondsSinceEpoch: 0, utcOffsetSeconds: 0),
            action: Action(type: "deploy", outcome: .unknown)),
    ]

    /// Compares with a golden file; `COLLECTOR_WRITE_GOLDEN=<folder>` writes the actual output there
    /// instead, for review before it replaces the file.
    func expectGolden(_ actual: String, _ name: String) throws {
        if let folder = ProcessInfo.processInfo.environment["COLLECTOR_WRITE_GOLDEN"] {
            try actual.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        #expect(actual == (try golden(name)))
    }

    func golden(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Golden/\(name)", withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func jsonLinesMatchTheGoldenFile() throws {
        var out: [UInt8] = []
        for event in Self.events { EventFormat.json.appendLine(event, to: &out) }
        try expectGolden(String(decoding: out, as: UTF8.self), "events.jsonl")
    }

    @Test func jsonLinesAreValidJSON() throws {
        for event in Self.events {
            let line = EventJSONEncoder().encode(event)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["id"] as? String == event.id)
            let actor = object["actor"] as? [String: Any]
            #expect(actor?["name"] as? String == event.actor.name)
        }
        let parsed = try JSONParser.parse(EventJSONEncoder().encode(Self.events[1]))
        #expect(parsed["attributes"]?["message"]?.stringValue == "line one\nline two\r\ttabbed; a=b | pipe \\ back \u{1}")
    }

    @Test func knoxLinesMatchTheGoldenFile() throws {
        let layout = KnoxLayout(timeFormat: TimePattern(KnoxLayout.defaultTimeFormat)!, zone: .event)
        var out: [UInt8] = []
        for event in Self.events { EventFormat.knox(layout).appendLine(event, to: &out) }
        try expectGolden(String(decoding: out, as: UTF8.self), "events.knox")
    }

    @Test func knoxTimeFormatAndZoneAreConfigurable() throws {
        let layout = KnoxLayout(timeFormat: try #require(TimePattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")), zone: .utc)
        let line = layout.encode(Self.events[0])
        #expect(line.hasPrefix("2024-04-25T14:59:00.390+00:00 ||f9ff25f9-"))
        #expect(TimePattern("yyyy-QQ") == nil)
        let berlin = KnoxLayout(zone: try #require(OutputZone("Europe/Berlin")))
        #expect(berlin.encode(Self.events[0]).hasPrefix("24/04/25 16:59:00 "))
    }

    @Test func knoxRecordsAreOneLineWithThirteenColumns() {
        let layout = KnoxLayout(zone: .utc)
        for event in Self.events {
            let line = layout.encode(event)
            #expect(!line.contains("\n") && !line.contains("\r"))
            // Split on unescaped pipes.
            var columns = 1
            var escaped = false
            for character in line {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "|" { columns += 1 }
            }
            #expect(columns == 13)
        }
    }

    @Test func rfc3339Times() {
        let time = EventTime(year: 2024, month: 2, day: 29, hour: 0, minute: 0, second: 1, nanosecond: 5_000_000,
                             utcOffsetSeconds: -(3 * 3600 + 30 * 60))
        #expect(time.description == "2024-02-29T00:00:01.005-03:30")
        #expect(RFC3339.format(time.inOffset(0), fractionDigits: 6, zulu: true) == "2024-02-29T03:30:01.005000Z")
        #expect(EventTime(nanosecondsSinceEpoch: -1).description == "1969-12-31T23:59:59.999+00:00")
    }

    @Test func deterministicIDs() {
        let id = AuditEvent.deterministicID("host", "job", "STATE", "ts")
        // SHA-256 of the parts joined by 0xFF, first 16 bytes: ids stay the same across releases.
        #expect(id == "f372970b-3019-abf5-b671-459372c2314f")
        #expect(id == AuditEvent.deterministicID("host", "job", "STATE", "ts"))
        #expect(id != AuditEvent.deterministicID("hostjob", "", "STATE", "ts"))
        #expect(id.count == 36 && id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
    }

    @Test func attributesKeepOrderAndRepeats() {
        var attributes: Attributes = ["a": "1", "b": "2"]
        attributes.append("a", "3")
        #expect(attributes.values("a") == ["1", "3"])
        attributes["a"] = "9"
        #expect(attributes.map(\.name) == ["a", "b"])
        #expect(attributes["a"] == "9")
        attributes["a"] = nil
        #expect(attributes.map(\.name) == ["b"])
    }
}

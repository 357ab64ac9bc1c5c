import Collector
import Testing

private enum NoteKey: EventContextKey { typealias Value = String }
private enum BytesKey: EventContextKey { typealias Value = [UInt8] }

@Suite("Event context: passed between components, never written")
struct EventContextTests {
    static func withContext(_ event: AuditEvent) -> AuditEvent {
        var event = event
        event.context[NoteKey.self] = "secret-ish note | with \"quotes\"\n"
        event.context[BytesKey.self] = Array("{\"job\":1}".utf8)
        return event
    }

    @Test func typedValuesByKey() {
        var context = EventContext()
        #expect(context.isEmpty)
        context[NoteKey.self] = "a"
        context[BytesKey.self] = [1, 2]
        #expect(context[NoteKey.self] == "a")
        #expect(context[BytesKey.self] == [1, 2])
        context[NoteKey.self] = nil
        #expect(context[NoteKey.self] == nil)
        #expect(!context.isEmpty)
    }

    @Test func notPartOfEqualityOrHash() {
        let plain = EncodingTests.events[0]
        let carrying = Self.withContext(plain)
        #expect(carrying == plain)
        #expect(carrying.hashValue == plain.hashValue)
        #expect(Set([plain, carrying]).count == 1)
        var changed = carrying
        changed.attributes["jobId"] = "other"
        #expect(changed != plain, "the rest of the event still counts")
    }

    @Test func encodersIgnoreItAndTheGoldenFilesStillMatch() throws {
        let layout = KnoxLayout(timeFormat: TimePattern(KnoxLayout.defaultTimeFormat)!, zone: .event)
        var json: [UInt8] = []
        var knox: [UInt8] = []
        for event in EncodingTests.events.map(Self.withContext) {
            EventFormat.json.appendLine(event, to: &json)
            EventFormat.knox(layout).appendLine(event, to: &knox)
        }
        let suite = EncodingTests()
        #expect(String(decoding: json, as: UTF8.self) == (try suite.golden("events.jsonl")))
        #expect(String(decoding: knox, as: UTF8.self) == (try suite.golden("events.knox")))
    }

    @Test func decodedEventsHaveAnEmptyContext() throws {
        let line = EventJSONEncoder().encode(Self.withContext(EncodingTests.events[1]))
        let decoded = try EventJSONDecoder().decode(line)
        #expect(decoded.context.isEmpty)
        let plain = try EventJSONDecoder().decode(EventJSONEncoder().encode(EncodingTests.events[1]))
        #expect(line == EventJSONEncoder().encode(EncodingTests.events[1]))
        #expect(decoded == plain)
    }
}

import Collector
import Synchronization
import Testing

final class CountingResource: PipelineResource {
    let name: String
    let shutdowns = Atomic<Int>(0)
    init(_ name: String) { self.name = name }
    func shutdown() async { shutdowns.add(1, ordering: .relaxed) }
    var shutdownCount: Int { shutdowns.load(ordering: .relaxed) }
}

@Suite("Pipeline resources")
struct PipelineResourcesTests {
    @Test func oneResourcePerKeySharedByItsLeases() async throws {
        let resources = PipelineResources()
        var made = 0
        let a = try resources.lease(CountingResource.self, key: "server-1") { made += 1; return CountingResource("1") }
        let b = try resources.lease(CountingResource.self, key: "server-1") { made += 1; return CountingResource("1bis") }
        let c = try resources.lease(CountingResource.self, key: "server-2") { made += 1; return CountingResource("2") }
        #expect(made == 2)
        #expect(a.resource === b.resource)
        #expect(a.resource !== c.resource)
        #expect(resources.count == 2)
        await a.release()
        await a.release()
        #expect(a.resource.shutdownCount == 0, "b still holds it; a second release of the same lease counts once")
        await b.release()
        #expect(a.resource.shutdownCount == 1, "the last lease shuts it down")
        #expect(resources.count == 1)
        await resources.shutdownAll()
        await resources.shutdownAll()
        #expect(c.resource.shutdownCount == 1, "the pipeline shuts down what is left, once")
        await c.release()
        #expect(c.resource.shutdownCount == 1)
    }

    @Test func twoPipelinesNeverShare() throws {
        let first = PipelineResources()
        let second = PipelineResources()
        let a = try first.lease(CountingResource.self, key: "same") { CountingResource("a") }
        let b = try second.lease(CountingResource.self, key: "same") { CountingResource("b") }
        #expect(a.resource !== b.resource)
    }

    @Test func aFailingMakeLeavesNothing() {
        struct Refused: Error {}
        let resources = PipelineResources()
        #expect(throws: Refused.self) { try resources.lease(CountingResource.self, key: 1) { throw Refused() } }
        #expect(resources.count == 0)
    }
}

@Suite("JSON reader")
struct JSONReaderTests {
    @Test func accessorsForRESTAnswers() throws {
        let value = try JSONParser.parse(#"{"s":"x","i":12,"f":1.5,"w":3.0,"b":true,"n":null,"a":[1,"2"],"o":{"k":"v"}}"#)
        #expect(value["s"]?.scalarText == "x")
        #expect(value["i"]?.scalarText == "12" && value["i"]?.int64Value == 12 && value["i"]?.doubleValue == 12)
        #expect(value["f"]?.scalarText == "1.5" && value["f"]?.int64Value == nil && value["f"]?.doubleValue == 1.5)
        #expect(value["w"]?.scalarText == "3" && value["w"]?.int64Value == 3)
        #expect(value["b"]?.boolValue == true && value["b"]?.scalarText == "true")
        #expect(value["n"]?.isNull == true && value["n"]?.scalarText == nil)
        #expect(value["a"]?.arrayValue?.compactMap(\.scalarText) == ["1", "2"])
        #expect(value["o"]?.objectMembers?.map(\.key) == ["k"])
        #expect(value["missing"] == nil)
    }

    @Test func stringsWithAndWithoutEscapes() throws {
        #expect(try JSONParser.parse(#""plain é""#) == .string("plain é"))
        #expect(try JSONParser.parse(#""a\"b\\c\u00e9\n""#) == .string("a\"b\\cé\n"))
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("\"tab\there\"") }
        do {
            _ = try JSONParser.parse("{\n  \"a\": [1,\n  2,]\n}")
            Issue.record("a trailing comma must be refused")
        } catch {
            #expect(error.line == 3 && error.column == 5)
        }
    }
}

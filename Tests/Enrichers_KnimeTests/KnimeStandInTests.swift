import AsyncHTTPClient
import Foundation
import KnimeStandIn
import Testing

@Suite("KNIME stand-in answers")
struct KnimeStandInTests {
    func get(_ url: String) async throws -> (Int, String, [String: Any]?, Int) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return (Int(response.status.code), response.headers.first(name: "Content-Type") ?? "", object, body.readableBytes)
    }

    @Test("the four endpoints in their real shapes, and Tomcat lines that match")
    func endpoints() async throws {
        let root = TestFiles.temporaryDirectory()
        let server = KnimeStandInServer()
        let scenario = try StandInScenario.day(count: 8, dayStartMilliseconds: 1_714_003_200_000)
        scenario.install(on: server)
        try await server.start()
        defer { Task { await server.stop() } }
        let job = scenario.jobs[2]

        let (listStatus, listType, list, _) = try await get(server.baseURL + "/jobs/")
        #expect(listStatus == 200 && listType == "application/vnd.mason+json")
        #expect((list?["jobs"] as? [[String: Any]])?.count == 7, "the discarded job is not listed")

        let (status, type, object, _) = try await get(server.baseURL + "/jobs/" + job.id)
        #expect(status == 200 && type == "application/vnd.mason+json")
        #expect(object?["owner"] as? String == job.owner)
        #expect(object?["state"] as? String == job.state)
        let controls = try #require(object?["@controls"] as? [String: Any])
        #expect((controls["self"] as? [String: Any])?["href"] as? String == server.baseURL + "/jobs/" + job.id)

        let (summaryStatus, summaryType, summary, _) = try await get(server.baseURL + "/jobs/\(job.id)/workflow-summary?format=JSON&includeExecutionInfo=true")
        #expect(summaryStatus == 200 && summaryType == "application/json")
        let nodes = try #require((summary?["workflow"] as? [String: Any])?["nodes"] as? [[String: Any]])
        #expect(!nodes.isEmpty)

        let encoded = "/repository" + job.workflow.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "" }.joined(separator: "/") + ":data"
        let (dataStatus, _, _, size) = try await get(server.baseURL + encoded)
        #expect(dataStatus == 200)
        #expect(size == (try FileManager.default.attributesOfItem(atPath: scenario.workflows.first { $0.path == job.workflow }!.file)[.size] as! NSNumber).intValue)

        let (goneStatus, _, _, _) = try await get(server.baseURL + "/jobs/" + scenario.jobs[3].id)
        #expect(goneStatus == 404)

        let files = try StandInTomcatLog.write(scenario.jobs, to: root + "/logs")
        #expect(files == [root + "/logs/localhost.2024-04-25.log"])
        let log = try String(contentsOfFile: files[0], encoding: .utf8)
        #expect(log.contains("Job: \(job.name) (\(job.id)) of owner \(job.owner) finished with state \(job.state)"))
        #expect(log.contains("WorkflowJobManagerImpl.loadWorkflow Loading workflow '\(job.workflow)' for user '\(job.owner)'"))
        #expect(log.contains("Discarding job"))
        #expect(log.split(separator: "\n").allSatisfy { $0.range(of: #"^\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d\.\d{3} INFO \["#, options: .regularExpression) != nil })
    }
}

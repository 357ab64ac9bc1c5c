import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A KNIME Server stand-in on 127.0.0.1: `GET /knime/rest/v4/jobs/` (paged on request),
/// `/jobs/{id}`, `/jobs/{id}/workflow-summary`, `/repository{path}:data`, and Business Hub's
/// `/deployments/{id}/jobs`, in the real shapes (Mason `@controls`, `application/vnd.mason+json`),
/// with failure injection per job and per workflow, and jobs that finish and are discarded over
/// time (`StandInJobList`).
///
/// `start()` binds an ephemeral port and returns once the server accepts connections; `stop()` is
/// idempotent. Thread-safe.
public final class KnimeStandInServer: Sendable {
    struct State {
        var jobs: [String: StandInJob] = [:]
        var jobOrder: [String] = []
        var workflows: [String: StandInWorkflow] = [:]
        var calls: [String: Int] = [:]
        var summaries: [String: String] = [:]
        var list = StandInJobList()
        var discardedAnswers: Set<String> = []
        var port: Int?
        var task: Task<Void, Error>?
    }

    private let state = Mutex(State())
    /// The path prefix of the REST API.
    public static let apiPrefix = "/knime/rest/v4"
    /// Basic-auth credentials the server requires, if any (`user:password`).
    public let credentials: String?

    public init(credentials: String? = nil) {
        self.credentials = credentials
    }

    /// `http://127.0.0.1:<port>/knime/rest/v4` once started.
    public var baseURL: String {
        "http://127.0.0.1:\(state.withLock { $0.port } ?? 0)\(Self.apiPrefix)"
    }

    public func add(_ job: StandInJob) {
        state.withLock {
            if $0.jobs[job.id] == nil { $0.jobOrder.append(job.id) }
            $0.jobs[job.id] = job
        }
    }

    public func add(_ workflow: StandInWorkflow) {
        state.withLock { $0.workflows[workflow.path] = workflow }
    }

    /// How jobs are listed and when they finish and disappear.
    public var jobList: StandInJobList {
        get { state.withLock { $0.list } }
        set { state.withLock { $0.list = newValue } }
    }

    /// How many requests reached `path` (without the API prefix), e.g. `/jobs/ID`.
    public func calls(_ path: String) -> Int {
        state.withLock { $0.calls[path] ?? 0 }
    }

    /// Jobs of `discardedAfterFinish` behaviour that were asked for after their discard (404 answered).
    public var askedAfterDiscard: Set<String> {
        state.withLock { $0.discardedAnswers }
    }

    public func start() async throws {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder<BasicRequestContext> { [self] request, _ in
            await self.respond(request)
        }
        var logger = Logger(label: "knime-standin")
        logger.logLevel = .critical
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "KNIME-StandIn"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let task = Task { try await app.run() }
        var port = 0
        for await value in stream { port = value }
        guard port > 0 else {
            task.cancel()
            throw CancellationError()
        }
        state.withLock {
            $0.port = port
            $0.task = task
        }
    }

    public func stop() async {
        let task = state.withLock { state -> Task<Void, Error>? in
            defer { state.task = nil }
            return state.task
        }
        task?.cancel()
        _ = await task?.result
    }

    // MARK: Answers

    func respond(_ request: Request) async -> Response {
        let rawPath = request.uri.path
        guard rawPath.hasPrefix(Self.apiPrefix) else { return text(.notFound, "not found") }
        let path = String(rawPath.dropFirst(Self.apiPrefix.count))
        let decoded = path.removingPercentEncoding ?? path
        state.withLock { $0.calls[decoded, default: 0] += 1 }
        if let credentials {
            let expected = "Basic " + Data(credentials.utf8).base64EncodedString()
            guard request.headers[.authorization] == expected else {
                return text(.unauthorized, "authentication required", headers: [.wwwAuthenticate: "Basic realm=\"KNIME\""])
            }
        }
        let query = request.uri.queryParameters
        let offset = query["offset"].flatMap { Int($0) } ?? 0
        let limit = query["limit"].flatMap { Int($0) }
        if decoded == "/jobs" || decoded == "/jobs/" { return listJobs(deployment: nil, offset: offset, limit: limit, path: "/jobs/") }
        if decoded.hasPrefix("/deployments/"), decoded.hasSuffix("/jobs") {
            let id = String(decoded.dropFirst("/deployments/".count).dropLast("/jobs".count))
            return listJobs(deployment: id, offset: offset, limit: limit, path: "/deployments/\(id)/jobs")
        }
        if decoded.hasPrefix("/repository/"), decoded.hasSuffix(":data") {
            return await workflowData(String(decoded.dropFirst("/repository".count).dropLast(":data".count)))
        }
        if decoded.hasPrefix("/jobs/") {
            let rest = decoded.dropFirst("/jobs/".count).split(separator: "/", omittingEmptySubsequences: false)
            let id = String(rest[0])
            let (found, count, list) = state.withLock { ($0.jobs[id], $0.calls[decoded] ?? 0, $0.list) }
            guard let found, found.behaviour == .discarded || list.visible(found, now: list.currentTime()) != nil else {
                return text(.notFound, "Job with id '\(id)' does not exist")
            }
            let job = found
            let running = list.visible(job, now: list.currentTime())?.running ?? false
            switch job.behaviour {
            case .discarded: return text(.notFound, "Job with id '\(id)' does not exist")
            case .discardedAfterFinish(let milliseconds) where Int64(Date().timeIntervalSince1970 * 1000) > job.finishedAt + milliseconds:
                state.withLock { $0.discardedAnswers.insert(id) }
                return text(.notFound, "Job with id '\(id)' does not exist")
            case .failing(let failures) where count <= failures: return text(.internalServerError, "Internal server error")
            case .slow(let milliseconds): try? await Task.sleep(for: .milliseconds(milliseconds))
            default: break
            }
            if rest.count == 1 { return json(jobJSON(job, mason: true, running: running), mason: true) }
            if rest.count == 2, rest[1] == "workflow-summary" { return summary(job) }
        }
        return text(.notFound, "not found")
    }

    func listJobs(deployment: String?, offset: Int, limit: Int?, path: String) -> Response {
        let (jobs, list) = state.withLock { state in (state.jobOrder.compactMap { state.jobs[$0] }, state.list) }
        let now = list.currentTime()
        let shown = jobs.filter { deployment == nil || $0.deployment == deployment }.compactMap { list.visible($0, now: now) }
        let size = limit ?? list.pageSize ?? max(shown.count, 1)
        let start = min(max(offset, 0), shown.count)
        let page = shown[start..<min(start + max(size, 1), shown.count)]
        var controls: [(String, StandInJSON.Value)] = [("self", .object([("href", .string(baseURL + path))]))]
        if page.endIndex < shown.count {
            controls.append(("next", .object([("href", .string(baseURL + path + "?offset=\(page.endIndex)&limit=\(size)"))])))
        }
        let body = StandInJSON.Value.object([
            ("jobs", .array(page.map { jobJSON($0.job, mason: false, running: $0.running) })),
            ("@controls", .object(controls)),
        ])
        return json(body, mason: true)
    }

    func jobJSON(_ job: StandInJob, mason: Bool, running: Bool = false) -> StandInJSON.Value {
        func date(_ unskewed: Int64) -> StandInJSON.Value {
            let ms = unskewed + job.reportedSkewMilliseconds
            switch job.dateForm {
            case 1: return .number("\(ms / 1000).\(String(1000 + ms % 1000).dropFirst())")
            case 2: return .number("\(ms)")
            default:
                let stamp = ISO8601DateFormatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000 + 7200),
                                                        timeZone: TimeZone(identifier: "UTC")!,
                                                        formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime,
                                                                        .withDashSeparatorInDate, .withFractionalSeconds])
                return .string(stamp + "+02:00[Europe/Madrid]")
            }
        }
        var members: [(String, StandInJSON.Value)] = [
            ("id", .string(job.id)), ("name", .string(job.name)), ("owner", .string(job.owner)),
            ("state", .string(running ? "EXECUTING" : job.state)), ("workflow", .string(job.workflow)),
            ("createdAt", date(job.createdAt)), ("startedExecutionAt", date(job.startedAt)),
        ]
        if !running { members.append(("finishedExecutionAt", date(job.finishedAt))) }
        members += [
            ("createdVia", .string("generic client")),
            ("discardAfterSuccessfulExec", .bool(false)), ("discardAfterFailedExec", .bool(false)),
            ("hasReport", .bool(false)), ("isOutdated", .bool(false)), ("isSwapped", .bool(true)),
            ("executorName", .string("node003.example.com")),
        ]
        var messages: [StandInJSON.Value] = []
        if let message = job.errorMessage, !running {
            messages.append(.object([("node", .string("Loop End 0:287")), ("messageType", .string("WARNING")),
                                     ("message", .string("Loop end reached with empty input"))]))
            messages.append(.object([("node", .string(job.errorNode ?? "unknown")), ("messageType", .string("ERROR")),
                                     ("message", .string(message))]))
        }
        members.append(("nodeMessages", .array(messages)))
        members.append(("unknownFutureField", .object([("x", .number("1"))])))
        if mason {
            members.append(("@controls", .object([
                ("self", .object([("href", .string(baseURL + "/jobs/" + job.id))])),
                ("knime:workflow-summary", .object([("href", .string(baseURL + "/jobs/" + job.id + "/workflow-summary"))])),
                ("knime:delete", .object([("href", .string(baseURL + "/jobs/" + job.id)), ("method", .string("DELETE"))])),
            ])))
            members.append(("@namespaces", .object([("knime", .object([("name", .string("http://www.knime.com/server/rels#"))]))])))
        }
        return .object(members)
    }

    func summary(_ job: StandInJob) -> Response {
        let workflow = state.withLock { $0.workflows[job.workflow] }
        var nodes = "[]"
        if let workflow, case .archive(let file) = workflow.body {
            let key = file + "\u{0}" + (job.errorNode ?? "")
            if let cached = state.withLock({ $0.summaries[key] }) {
                nodes = cached
            } else {
                nodes = StandInJSON.render(.array(StandInSummaryBuilder.nodes(archive: file, failingNode: job.errorNode) ?? []))
                state.withLock { $0.summaries[key] = nodes }
            }
        }
        let body = StandInJSON.Value.object([
            ("version", .string("4.7.0")),
            ("summaryCreationDateTime", .string("2024-04-25 16:59:00 +0200")),
            ("environment", .object([("knimeVersion", .string("4.7.8.v202310190954")), ("os", .string("linux"))])),
            ("workflow", .object([("name", .string(String(job.workflow.split(separator: "/").last ?? ""))),
                                  ("nodes", .raw(nodes))])),
        ])
        return json(body, mason: false)
    }

    func workflowData(_ path: String) async -> Response {
        guard let workflow = state.withLock({ $0.workflows[path] }) else {
            return text(.notFound, "Workflow '\(path)' does not exist")
        }
        if workflow.delayMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(workflow.delayMilliseconds)) }
        let file = workflow.file
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
              var size = (attributes[.size] as? NSNumber)?.intValue else {
            return text(.internalServerError, "cannot read \(file)")
        }
        if case .truncated = workflow.body { size /= 2 }
        let total = size
        let body = ResponseBody(contentLength: total) { writer in
            if let handle = FileHandle(forReadingAtPath: file) {
                defer { try? handle.close() }
                var left = total
                while left > 0 {
                    let data = handle.readData(ofLength: min(left, 64 * 1024))
                    if data.isEmpty { break }
                    left -= data.count
                    try await writer.write(ByteBuffer(bytes: data))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/vnd.knime.workflow+zip",
                                               .contentLength: String(total)], body: body)
    }

    func json(_ value: StandInJSON.Value, mason: Bool) -> Response {
        let text = StandInJSON.render(value)
        return Response(status: .ok,
                        headers: [.contentType: mason ? "application/vnd.mason+json" : "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func text(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let body = StandInJSON.render(.object([("code", .number("\(status.code)")), ("message", .string(message))]))
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

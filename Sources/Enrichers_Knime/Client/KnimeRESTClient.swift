import AsyncHTTPClient
import Collector
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// KNIME Server REST API v4 client: pooled connections, a concurrency limit, retries with
/// the core's `Backoff` (capped exponential, jitter) for connection errors, timeouts and 5xx answers, and a deadline
/// every call of one job shares.
///
/// Credentials are sent as HTTP basic auth or a bearer token and never logged. Thread-safe.
/// The HTTP client is made on first use (so a client never used needs no shutdown); call
/// `shutdown()` when done (idempotent; later calls fail).
public final class KnimeRESTClient: Sendable {
    enum HTTPState {
        case idle
        case running(HTTPClient)
        case shutDown
    }

    public let configuration: KnimeClientConfiguration
    private let httpConfiguration: HTTPClient.Configuration
    private let httpState = Mutex(HTTPState.idle)
    private let limiter: AsyncLimiter
    private let logger: Logger
    private let authorization: String?
    private let base: String
    private let backoff: Backoff

    public init(_ configuration: KnimeClientConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile {
            tls.trustRoots = .file(caFile)
        }
        if !configuration.verifyTLS {
            tls.certificateVerification = .none
            logger.warning("TLS certificate verification is OFF for the KNIME server (verify_tls: false)",
                           metadata: ["url": "\(configuration.baseURL)"])
        }
        var http = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(connect: .milliseconds(Int64(configuration.connectTimeoutMilliseconds)),
                           read: .milliseconds(Int64(configuration.readTimeoutMilliseconds))),
            connectionPool: .init(idleTimeout: .seconds(60),
                                  concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnections))
        http.decompression = .disabled
        httpConfiguration = http
        limiter = AsyncLimiter(limit: configuration.concurrency)
        if let token = configuration.token {
            authorization = "Bearer " + token.value
        } else if let user = configuration.username {
            authorization = "Basic " + Data("\(user):\(configuration.password?.value ?? "")".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
        backoff = Backoff(initialMilliseconds: configuration.backoffInitialMilliseconds,
                          maxMilliseconds: configuration.backoffMaxMilliseconds)
        base = configuration.baseURL.hasSuffix("/") ? String(configuration.baseURL.dropLast()) : configuration.baseURL
    }

    public func shutdown() async {
        let client = httpState.withLock { state -> HTTPClient? in
            defer { state = .shutDown }
            if case .running(let client) = state { return client }
            return nil
        }
        try? await client?.shutdown()
    }

    /// The pooled HTTP client, made on first use.
    var http: HTTPClient {
        get throws {
            try httpState.withLock { state in
                switch state {
                case .running(let client): return client
                case .shutDown:
                    throw KnimeClientError(message: "the client is shut down", request: "", isRetriable: false)
                case .idle:
                    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
                    state = .running(client)
                    return client
                }
            }
        }
    }

    /// A deadline for one job's calls, from the configured `job_deadline_ms`.
    public func jobDeadline() -> NIODeadline {
        .now() + .milliseconds(Int64(configuration.jobDeadlineMilliseconds))
    }

    /// `GET /jobs/{id}`: the job and the raw answer.
    public func job(_ id: String, deadline: NIODeadline) async throws -> (KnimeJob, [UInt8]) {
        let bytes = try await get("/jobs/" + Self.encodeSegment(id), accept: "application/vnd.mason+json", deadline: deadline)
        return (try KnimeJob(json: bytes, fallbackID: id), bytes)
    }

    /// `GET /jobs/{id}/workflow-summary?format=JSON&includeExecutionInfo=true`: summary and raw answer.
    public func workflowSummary(_ id: String, deadline: NIODeadline) async throws -> (KnimeWorkflowSummary, [UInt8]) {
        let bytes = try await get("/jobs/" + Self.encodeSegment(id) + "/workflow-summary?format=JSON&includeExecutionInfo=true",
                                  accept: "application/json", deadline: deadline)
        return (try KnimeWorkflowSummary(json: bytes), bytes)
    }

    /// `GET /repository{workflow}:data`, streamed into `file` (created 0640, replaced if present).
    /// Returns the bytes written. Never holds the archive in memory.
    public func downloadWorkflow(_ workflow: String, to file: String, deadline: NIODeadline) async throws -> Int64 {
        let path = "/repository" + Self.encodePath(workflow) + ":data"
        return try await withRetries("GET \(path)", deadline: deadline) {
            let response = try await self.http.execute(self.request(path, accept: "application/vnd.knime.workflow+zip, application/zip"),
                                                        deadline: deadline, logger: self.logger)
            try Self.check(response.status, "GET \(path)")
            let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
            guard fd >= 0 else {
                throw KnimeClientError(message: "cannot create \(file): \(String(cString: strerror(errno)))", request: "GET \(path)", isRetriable: false)
            }
            defer { close(fd) }
            var total: Int64 = 0
            for try await buffer in response.body {
                total += Int64(buffer.readableBytes)
                if total > self.configuration.maxDownloadBytes {
                    throw KnimeClientError(message: "archive larger than \(self.configuration.maxDownloadBytes) bytes", request: "GET \(path)", isRetriable: false)
                }
                try buffer.withUnsafeReadableBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                        guard n > 0 else {
                            throw KnimeClientError(message: "cannot write \(file): \(String(cString: strerror(errno)))", request: "GET \(path)", isRetriable: false)
                        }
                        offset += n
                    }
                }
            }
            return total
        }
    }

    /// A GET whose whole body (bounded to 64 MiB) is returned.
    func get(_ path: String, accept: String, deadline: NIODeadline) async throws -> [UInt8] {
        try await withRetries("GET \(path)", deadline: deadline) {
            let response = try await self.http.execute(self.request(path, accept: accept), deadline: deadline, logger: self.logger)
            try Self.check(response.status, "GET \(path)")
            let body = try await response.body.collect(upTo: 64 << 20)
            return Array(body.readableBytesView)
        }
    }

    func request(_ path: String, accept: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + path)
        request.method = .GET
        request.headers.add(name: "Accept", value: accept)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        return request
    }

    static func check(_ status: HTTPResponseStatus, _ request: String) throws {
        guard (200..<300).contains(status.code) else {
            let retriable = status.code >= 500 || status.code == 429 || status.code == 408
            throw KnimeClientError(status: Int(status.code), message: status.reasonPhrase, request: request, isRetriable: retriable)
        }
    }

    /// Runs `body` under the concurrency limit, retrying what may succeed later, never past `deadline`.
    func withRetries<T: Sendable>(_ name: String, deadline: NIODeadline, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            let outcome: Result<T, Error>
            do {
                outcome = .success(try await limiter.run { try await body() })
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let value):
                return value
            case .failure(let error):
                if error is CancellationError { throw error }
                let clientError = Self.classify(error, name)
                guard clientError.isRetriable, attempt < configuration.retries else { throw clientError }
                let wait = Int64(backoff.delayMilliseconds(attempt: attempt))
                if NIODeadline.now() + .milliseconds(wait) >= deadline {
                    throw KnimeClientError(status: clientError.status, message: clientError.message + " (job deadline reached)",
                                           request: name, isRetriable: false)
                }
                attempt += 1
                logger.debug("retrying KNIME call", metadata: ["request": "\(name)", "attempt": "\(attempt)", "error": "\(clientError.message)"])
                try await Task.sleep(for: .milliseconds(wait))
            }
        }
    }

    static func classify(_ error: Error, _ name: String) -> KnimeClientError {
        if let error = error as? KnimeClientError { return error }
        if let error = error as? HTTPClientError {
            // Deadlines, timeouts, refused and closed connections: all may pass.
            return KnimeClientError(message: "\(error)", request: name, isRetriable: error != .invalidURL)
        }
        if error is NIOSSLError {
            return KnimeClientError(message: "TLS: \(error)", request: name, isRetriable: false)
        }
        return KnimeClientError(message: "\(error)", request: name, isRetriable: true)
    }

    static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    /// Percent-encodes one path segment.
    public static func encodeSegment(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }

    /// Percent-encodes each segment of a repository path, keeping the slashes (and the leading one).
    public static func encodePath(_ path: String) -> String {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        return "/" + trimmed.split(separator: "/", omittingEmptySubsequences: false).map { encodeSegment(String($0)) }.joined(separator: "/")
    }
}

import Collector
import CollectorTestKit
import Foundation
import GRDB
import Sinks_Database
import Testing

/// Pipelines of the test kit's replay source into a `database` sink.
enum DatabaseTestPipelines {
    static func harness(make: @escaping @Sendable (Int) -> AuditEvent = { ReplaySource.sampleEvent($0) },
                        environment: [String: String] = [:]) -> PipelineHarness {
        var registry = ComponentRegistry()
        registry.register(ReplaySourceFactory(make: make))
        registry.register(DatabaseSinkFactory())
        return PipelineHarness(registry: registry, environment: environment)
    }

    /// A pipeline text: `count` replayed events into a sink named `db` with the given keys.
    static func text(dataDirectory: String, count: Int, sink: String, batchSize: Int = 512) -> String {
        """
        { "name": "db-test", "data_dir": "\(dataDirectory)",
          "sources": { "replay": { "type": "replay", "count": \(count), "batch_size": 256 } },
          "sinks": { "db": { "type": "database", "inputs": ["replay"], "batch_size": \(batchSize),
                             "retry": { "initial_ms": 50, "max_ms": 1000 }, \(sink) } } }
        """
    }

    /// Lines of the pipeline's dead-letter file (none when it does not exist).
    static func deadLetters(_ dataDirectory: String) -> [String] {
        guard let text = try? String(contentsOfFile: dataDirectory + "/dead-letter.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// A Denodo-style event: the scheduler's audit fields as attributes.
    static func denodoEvent(_ index: Int, elapsed: String? = nil) -> AuditEvent {
        var event = ReplaySource.sampleEvent(index, source: "denodo")
        event.actor = Actor(id: "admin", name: "admin", clientIP: "10.0.0.\(index % 250)", authMethod: "LOCAL", session: "s-\(index % 7)")
        event.action = Action(type: "UPDATE", outcome: index % 9 == 0 ? .failure : .success)
        event.resource = Resource(type: "Job", name: "job_\(index % 31)")
        event.attributes = ["elapsed_ms": elapsed ?? String(index % 1000), "endpoint": "JobManager.update(\(index))",
                            "thread_id": String(100 + index % 8), "state": index % 9 == 0 ? "ERROR" : "OK"]
        return event
    }

    /// The mappings of a Denodo `sched_audit_logs` table (the columns of its log4j JDBC appender).
    static let denodoColumns = """
        "columns": [
          {"column": "startTime", "value": "time"},
          {"column": "elapsedTime", "value": "attributes.elapsed_ms", "type": "bigint"},
          {"column": "sessionID", "value": "actor.session"},
          {"column": "clientIP", "value": "actor.client_ip"},
          {"column": "userName", "value": "actor.name"},
          {"column": "userAuthMethod", "value": "actor.auth_method"},
          {"column": "requestType", "value": "action.type"},
          {"column": "elementTypes", "value": "resource.type"},
          {"column": "affectedElements", "value": "resource.name"},
          {"column": "endpoint", "value": "attributes.endpoint"},
          {"column": "state", "value": "attributes.state"},
          {"column": "threadId", "value": "attributes.thread_id", "type": "bigint"},
          {"column": "logLevel", "literal": "INFO"}
        ]
        """
}

/// Runs a command to its end and returns what it printed (posix_spawn + waitpid: the service script
/// leaves the server running in the background, which `Process.waitUntilExit` was seen to wait for).
@discardableResult
func shell(_ command: String) throws -> String {
    let output = NSTemporaryDirectory() + "collector-db-test-\(UUID().uuidString).out"
    defer { try? FileManager.default.removeItem(atPath: output) }
    var pid: pid_t = 0
    let full = "\(command) >\(output) 2>&1 </dev/null"
    let parts: [String] = ["/bin/sh", "-c", full]
    let argv: [UnsafeMutablePointer<CChar>?] = parts.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
    guard spawned == 0 else { throw CollectorError(.io, "cannot run \(command)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    guard status == 0 else { throw CollectorError(.io, "\(command) failed (status \(status)): \(text)") }
    return text
}

/// The PostgreSQL server of `scripts/services/postgres` (started by `scripts/test`), read from the
/// environment. Missing variables fail the test loudly: these tests never pass without a server.
struct PostgresTestServer {
    let url: String
    let tlsURL: String
    let password: String
    let ca: String
    let otherCA: String
    let control: String

    init() throws {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["COLLECTOR_TEST_PG_URL"], let password = env["COLLECTOR_TEST_PG_PASSWORD"],
              let control = env["COLLECTOR_TEST_PG_CTL"] else {
            Issue.record("COLLECTOR_TEST_PG_URL/COLLECTOR_TEST_PG_PASSWORD/COLLECTOR_TEST_PG_CTL are not set: run scripts/test (or scripts/services/postgres install && start, then source .build-services/postgres.env)")
            throw CollectorError(.configuration, "no PostgreSQL test server")
        }
        self.url = url
        self.password = password
        self.control = control
        self.tlsURL = env["COLLECTOR_TEST_PG_TLS_URL"] ?? url
        self.ca = env["COLLECTOR_TEST_PG_CA"] ?? ""
        self.otherCA = env["COLLECTOR_TEST_PG_OTHER_CA"] ?? ""
    }

    /// The environment a pipeline resolves `${env:PGPASS}` from.
    var environment: [String: String] { ["PGPASS": password] }

    /// The sink keys that reach this server without TLS (loopback test cluster).
    var sinkKeys: String {
        #""url": "\#(url)", "password": "${env:PGPASS}", "tls": {"mode": "disable"}"#
    }

    /// A fresh table name.
    static func tableName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// psql as the superuser; returns the unaligned, tuples-only output.
    @discardableResult
    func psql(_ sql: String) throws -> String {
        let escaped = sql.replacingOccurrences(of: "'", with: "'\\''")
        return try shell("\(control) psql -tAc '\(escaped)'").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func count(_ table: String) throws -> Int {
        Int(try psql("SELECT count(*) FROM \(table)")) ?? -1
    }

    func stop() throws { try shell("\(control) stop") }
    func start() throws { try shell("\(control) start") }
}

/// Reads an SQLite file the sink wrote.
func sqliteCount(_ path: String, _ table: String) throws -> Int {
    let queue = try DatabaseQueue(path: path)
    defer { try? queue.close() }
    return try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM \(table)") ?? -1 }
}

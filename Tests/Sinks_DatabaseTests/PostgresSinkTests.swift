import Collector
import CollectorTestKit
import Foundation
import Logging
import Sinks_Database
import Testing

/// Against the real server of `scripts/services/postgres`. Serialized: one test stops and starts it.
@Suite("database sink, PostgreSQL", .serialized)
struct PostgresSinkTests {
    @Test("default table: 10,000 events written twice give 10,000 rows, with the indexes and schema version")
    func defaultTableReplay() async throws {
        let server = try PostgresTestServer()
        let table = PostgresTestServer.tableName("audit_events")
        let folder = PipelineHarness.temporaryDirectory("db-pg")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = DatabaseTestPipelines.harness(environment: server.environment)
        for run in 0..<2 {
            let text = DatabaseTestPipelines.text(dataDirectory: "\(folder)/data\(run)", count: 10_000,
                                                  sink: server.sinkKeys + #", "table": "\#(table)""#)
            let pipeline = try await harness.runUntilIdle(text, timeout: .seconds(300))
            #expect(pipeline.acknowledgedCount(source: "replay") == 10_000)
        }
        #expect(try server.count(table) == 10_000)
        #expect(DatabaseTestPipelines.deadLetters("\(folder)/data0").isEmpty)
        #expect(try server.psql("SELECT version FROM collector_schema WHERE table_name = '\(table)'") == "1")
        let indexes = try server.psql("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = '\(table)'")
        #expect(indexes == "\(table)_actor_time,\(table)_pkey,\(table)_resource_time,\(table)_time")
        let expected = ReplaySource.sampleEvent(7)
        let row = try server.psql("""
            SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') || '|' || utc_offset || '|' || actor_name || '|' ||
                   resource_name || '|' || (attributes ->> 'jobId') || '|' || pg_typeof(attributes)
            FROM \(table) WHERE id = '\(expected.id)'
            """)
        #expect(row == "2024-04-25 14:59:00.397|7200|victor|\(expected.resource.name)|job-7|jsonb")
    }

    /// Denodo's `sched_audit_logs` as its PostgreSQL script would make it: unquoted (so lower-case)
    /// names, a serial id and no event-id column.
    static func denodoTable(_ name: String) -> String {
        """
        CREATE TABLE \(name) (id BIGSERIAL PRIMARY KEY, startTime TIMESTAMP WITH TIME ZONE NOT NULL, endTime TIMESTAMP WITH TIME ZONE,
          elapsedTime BIGINT CHECK (elapsedTime >= 0), sessionID VARCHAR(255), clientIP VARCHAR(255), userName VARCHAR(255),
          userAuthMethod VARCHAR(255), userBatchedMode BOOLEAN, userPermissions TEXT, requestType VARCHAR(255),
          elementTypes VARCHAR(255), affectedElements TEXT, endpoint TEXT, arguments TEXT, state VARCHAR(32), warnings TEXT,
          threadName VARCHAR(255), threadId BIGINT, logLevel VARCHAR(16))
        """
    }

    @Test("a Denodo-shaped table is filled unchanged, one row per event even written twice")
    func denodoTable() async throws {
        let server = try PostgresTestServer()
        let table = PostgresTestServer.tableName("sched_audit_logs")
        try server.psql(Self.denodoTable(table))
        try server.psql("ALTER TABLE \(table) OWNER TO collector")
        let folder = PipelineHarness.temporaryDirectory("db-pg-denodo")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = DatabaseTestPipelines.harness(make: { DatabaseTestPipelines.denodoEvent($0) }, environment: server.environment)
        for run in 0..<2 {
            let text = DatabaseTestPipelines.text(dataDirectory: "\(folder)/data\(run)", count: 1_000,
                                                  sink: server.sinkKeys + #", "table": "\#(table)", "create_table": false, "# + DatabaseTestPipelines.denodoColumns,
                                                  batchSize: 100)
            _ = try await harness.runUntilIdle(text, timeout: .seconds(120))
        }
        #expect(try server.count(table) == 1_000)
        let row = try server.psql("""
            SELECT elapsedtime || '|' || clientip || '|' || threadid || '|' || loglevel || '|' || username
            FROM \(table) WHERE endpoint = 'JobManager.update(42)'
            """)
        #expect(row == "42|10.0.0.42|102|INFO|admin")
        #expect(try server.psql("SELECT count(*) FROM collector_event_ids WHERE table_name = '\(table)'") == "1000")
    }

    @Test("a value that violates its column's type or a constraint is dead-lettered, the rest of the batch is stored")
    func rejectedValues() async throws {
        let server = try PostgresTestServer()
        let table = PostgresTestServer.tableName("sched_audit_logs")
        try server.psql(Self.denodoTable(table))
        try server.psql("ALTER TABLE \(table) OWNER TO collector")
        let folder = PipelineHarness.temporaryDirectory("db-pg-reject")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Event 3: not a number (refused by the conversion); event 5: negative (refused by the CHECK,
        // which fails the COPY batch, then written row by row).
        let harness = DatabaseTestPipelines.harness(make: { index in
            DatabaseTestPipelines.denodoEvent(index, elapsed: index == 3 ? "twelve" : index == 5 ? "-1" : nil)
        }, environment: server.environment)
        let text = DatabaseTestPipelines.text(dataDirectory: "\(folder)/data", count: 20,
                                              sink: server.sinkKeys + #", "table": "\#(table)", "# + DatabaseTestPipelines.denodoColumns)
        _ = try await harness.runUntilIdle(text, timeout: .seconds(120))
        #expect(try server.count(table) == 18)
        let letters = DatabaseTestPipelines.deadLetters("\(folder)/data")
        #expect(letters.count == 2)
        #expect(letters.contains { $0.contains("elapsedtime") && $0.contains("twelve") && $0.contains("is not an integer") })
        #expect(letters.contains { $0.contains("check constraint") && $0.contains("23514") })
    }

    @Test("a mapping that does not fit the table is refused at start with its place, before anything is written")
    func wrongMappingAtStart() async throws {
        let server = try PostgresTestServer()
        let table = PostgresTestServer.tableName("sched_audit_logs")
        try server.psql(Self.denodoTable(table))
        try server.psql("ALTER TABLE \(table) OWNER TO collector")
        let folder = PipelineHarness.temporaryDirectory("db-pg-wrong")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = DatabaseTestPipelines.harness(environment: server.environment)
        let text = DatabaseTestPipelines.text(dataDirectory: "\(folder)/data", count: 10, sink: server.sinkKeys + """
            , "table": "\(table)",
            "columns": [{"column": "startTime", "value": "time"}, {"column": "elapsed", "value": "attributes.elapsed_ms"},
                        {"column": "elapsedTime", "value": "time", "type": "timestamptz"}]
            """)
        let error = await #expect(throws: (any Error).self) { _ = try await harness.runUntilIdle(text, timeout: .seconds(60)) }
        let message = "\(error!)"
        #expect(message.contains(#"sinks.db.columns[1].column: table \#(table) has no column "elapsed""#))
        #expect(message.contains(#"sinks.db.columns[2].type: "timestamptz", but column elapsedtime of \#(table) is bigint"#))
        #expect(try server.count(table) == 0)
    }

    @Test("the server restarted in the middle of a run: nothing lost, nothing doubled")
    func serverRestart() async throws {
        let server = try PostgresTestServer()
        let table = PostgresTestServer.tableName("audit_restart")
        let folder = PipelineHarness.temporaryDirectory("db-pg-restart")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let total = 40_000
        let harness = DatabaseTestPipelines.harness(environment: server.environment)
        let text = DatabaseTestPipelines.text(dataDirectory: "\(folder)/data", count: total,
                                              sink: server.sinkKeys + #", "table": "\#(table)""#, batchSize: 50)
        let run = Task { try await harness.runUntilIdle(text, timeout: .seconds(600)) }
        // Wait for the first rows, then stop and start the server under the running pipeline.
        var before = 0
        for _ in 0..<600 {
            before = (try? server.count(table)) ?? 0
            if before > 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try server.stop()
        let stoppedAt = before
        try await Task.sleep(for: .seconds(2))
        try server.start()
        let pipeline = try await run.value
        #expect(stoppedAt > 0)
        #expect(stoppedAt < total, "the run ended before the server stopped; the test proves nothing")
        #expect(pipeline.acknowledgedCount(source: "replay") == UInt64(total))
        #expect(try server.count(table) == total)
        #expect(DatabaseTestPipelines.deadLetters("\(folder)/data").isEmpty)
    }

    @Test("TLS verify-full: the test CA is trusted, another CA is refused")
    func tlsVerification() async throws {
        let server = try PostgresTestServer()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        guard case .success(let url) = DatabaseURL.parse(server.tlsURL) else { Issue.record("bad URL"); return }
        let good = DatabaseStores.make(url: url, password: Secret(reference: "${env:PGPASS}", value: server.password),
                                       tls: PostgresTLS(mode: .verifyFull, caFile: server.ca), timeoutMilliseconds: 5_000, logger: logger)
        try await good.open()
        #expect(try await good.columns(of: TableName("pg_class")) != nil)
        await good.close()
        let bad = DatabaseStores.make(url: url, password: Secret(reference: "${env:PGPASS}", value: server.password),
                                      tls: PostgresTLS(mode: .verifyFull, caFile: server.otherCA), timeoutMilliseconds: 3_000, logger: logger)
        await #expect(throws: (any Error).self) { try await bad.open() }
        await bad.close()
    }
}

import Collector
import CollectorTestKit
import Foundation
import GRDB
import Sinks_Database
import Testing

@Suite("database sink, SQLite")
struct SQLiteSinkTests {
    @Test("default table: 10,000 events written twice give 10,000 rows; WAL, FULL sync, file 0640, schema version recorded")
    func defaultTableReplay() async throws {
        let folder = PipelineHarness.temporaryDirectory("db-sqlite")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/store/audit.db"
        let harness = DatabaseTestPipelines.harness()
        for run in 0..<2 {
            // A new data_dir each run: no checkpoint, so the second run replays every event again.
            let text = DatabaseTestPipelines.text(dataDirectory: "\(folder)/data\(run)", count: 10_000,
                                                  sink: #""url": "sqlite://\#(file)""#)
            let pipeline = try await harness.runUntilIdle(text, timeout: .seconds(300))
            #expect(pipeline.acknowledgedCount(source: "replay") == 10_000)
            #expect(DatabaseTestPipelines.deadLetters("\(folder)/data\(run)").isEmpty)
        }
        #expect(try sqliteCount(file, "audit_events") == 10_000)

        var info = stat()
        #expect(stat(file, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640)
        let queue = try DatabaseQueue(path: file)
        defer { try? queue.close() }
        try await queue.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(db, sql: "SELECT version FROM collector_schema WHERE table_name = 'audit_events'") == 1)
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events' AND sql IS NOT NULL")
            #expect(Set(indexes) == ["audit_events_resource_time", "audit_events_actor_time", "audit_events_time"])
            let expected = ReplaySource.sampleEvent(7)
            let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM audit_events WHERE id = ?", arguments: [expected.id]))
            #expect(row["time"] as String == SQLValue.timeText(expected.time))
            #expect(row["utc_offset"] as Int == 7200)
            #expect(row["actor_name"] as String == "victor")
            #expect(row["actor_client_ip"] as String? == nil)
            #expect(row["resource_name"] as String == expected.resource.name)
            #expect(row["outcome"] as String == expected.action.outcome.rawValue)
            #expect(row["attributes"] as String == AttributesJSON.encode(expected.attributes))
            #expect(try String.fetchOne(db, sql: "SELECT json_extract(attributes, '$.jobId') FROM audit_events WHERE id = ?",
                                        arguments: [expected.id]) == "job-7")
        }
    }

    /// A table made the way Denodo's `tables_audit_trail_<db>.sql` makes `sched_audit_logs`: no
    /// event-id column, so the ids go to `collector_event_ids`.
    static let denodoTable = """
        CREATE TABLE sched_audit_logs (
          id INTEGER PRIMARY KEY AUTOINCREMENT, startTime TIMESTAMP NOT NULL, endTime TIMESTAMP, elapsedTime BIGINT CHECK (elapsedTime >= 0),
          sessionID VARCHAR(255), clientIP VARCHAR(255), userName VARCHAR(255), userAuthMethod VARCHAR(255),
          userBatchedMode BOOLEAN, userPermissions VARCHAR(4000), requestType VARCHAR(255), elementTypes VARCHAR(255),
          affectedElements VARCHAR(4000), endpoint VARCHAR(4000), arguments CLOB, state VARCHAR(32), warnings CLOB,
          threadName VARCHAR(255), threadId BIGINT, logLevel VARCHAR(16))
        """

    @Test("a Denodo-shaped table is filled unchanged, one row per event even written twice")
    func denodoTable() async throws {
        let folder = PipelineHarness.temporaryDirectory("db-sqlite-denodo")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/denodo.db"
        let queue = try DatabaseQueue(path: file)
        try await queue.write { try $0.execute(sql: Self.denodoTable) }
        try queue.close()
        let harness = DatabaseTestPipelines.harness { DatabaseTestPipelines.denodoEvent($0) }
        for run in 0..<2 {
            let text = DatabaseTestPipelines.text(dataDirectory: "\(folder)/data\(run)", count: 500,
                                                  sink: #""url": "sqlite://\#(file)", "table": "sched_audit_logs", "create_table": false, "# + DatabaseTestPipelines.denodoColumns,
                                                  batchSize: 64)
            _ = try await harness.runUntilIdle(text, timeout: .seconds(120))
        }
        #expect(try sqliteCount(file, "sched_audit_logs") == 500)
        let check = try DatabaseQueue(path: file)
        defer { try? check.close() }
        try await check.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM sched_audit_logs WHERE endpoint = 'JobManager.update(42)'"))
            #expect(row["elapsedTime"] as Int == 42)
            #expect(row["clientIP"] as String == "10.0.0.42")
            #expect(row["threadId"] as Int == 102)
            #expect(row["logLevel"] as String == "INFO")
            #expect(row["startTime"] as String == SQLValue.timeText(DatabaseTestPipelines.denodoEvent(42).time))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM collector_event_ids WHERE table_name = 'sched_audit_logs'") == 500)
        }
    }

    @Test("a value that violates its column's type or constraint is dead-lettered, the rest of the batch is stored")
    func rejectedValues() async throws {
        let folder = PipelineHarness.temporaryDirectory("db-sqlite-reject")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/denodo.db"
        let queue = try DatabaseQueue(path: file)
        try await queue.write { try $0.execute(sql: Self.denodoTable) }
        try queue.close()
        // Event 3: not a number (refused by the conversion); event 5: negative (refused by the CHECK).
        let harness = DatabaseTestPipelines.harness { index in
            DatabaseTestPipelines.denodoEvent(index, elapsed: index == 3 ? "twelve" : index == 5 ? "-1" : nil)
        }
        let text = DatabaseTestPipelines.text(dataDirectory: "\(folder)/data", count: 20,
                                              sink: #""url": "sqlite://\#(file)", "table": "sched_audit_logs", "# + DatabaseTestPipelines.denodoColumns)
        _ = try await harness.runUntilIdle(text, timeout: .seconds(120))
        #expect(try sqliteCount(file, "sched_audit_logs") == 18)
        let letters = DatabaseTestPipelines.deadLetters("\(folder)/data")
        #expect(letters.count == 2, "\(letters)")
        #expect(letters.contains { $0.contains("elapsedTime") && $0.contains("twelve") && $0.contains("is not an integer") })
        #expect(letters.contains { $0.contains("CHECK constraint failed") })
        // A rejected event is not marked written: sent again after a fix, it is stored.
        let check = try DatabaseQueue(path: file)
        defer { try? check.close() }
        let marked = try await check.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM collector_event_ids") }
        #expect(marked == 18)
    }

    @Test("a mapping naming an unknown event field is refused when the pipeline file loads, with its place")
    func unknownFieldAtLoad() throws {
        let harness = DatabaseTestPipelines.harness()
        let text = DatabaseTestPipelines.text(dataDirectory: "/tmp/unused", count: 1, sink: """
            "url": "sqlite:///tmp/unused.db", "table": "t",
            "columns": [{"column": "id", "value": "id"}, {"column": "t", "value": "time"},
                        {"column": "ip", "value": "actor.clientip"}, {"column": "n", "value": "id", "type": "bigints"}]
            """)
        let error = #expect(throws: (any Error).self) { try harness.load(text) }
        let message = "\(error!)"
        #expect(message.contains(#"sinks.db.columns[2].value: unknown event field "actor.clientip" (did you mean "actor.client_ip"?)"#))
        #expect(message.contains(#"sinks.db.columns[3].type: "bigints" is not one of"#))
    }

    @Test("a mapping that does not fit the table is refused at start, before anything is written")
    func wrongMappingAtStart() async throws {
        let folder = PipelineHarness.temporaryDirectory("db-sqlite-wrong")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/denodo.db"
        let queue = try DatabaseQueue(path: file)
        try await queue.write { try $0.execute(sql: Self.denodoTable) }
        try queue.close()
        let harness = DatabaseTestPipelines.harness { DatabaseTestPipelines.denodoEvent($0) }
        let text = DatabaseTestPipelines.text(dataDirectory: "\(folder)/data", count: 10, sink: """
            "url": "sqlite://\(file)", "table": "sched_audit_logs",
            "columns": [{"column": "startTime", "value": "time"}, {"column": "clientAddress", "value": "actor.client_ip"},
                        {"column": "userBatchedMode", "value": "attributes"}, {"column": "threadId", "value": "id", "type": "text"}]
            """)
        let error = await #expect(throws: (any Error).self) { _ = try await harness.runUntilIdle(text, timeout: .seconds(60)) }
        let message = "\(error!)"
        #expect(message.contains(#"sinks.db.columns[1].column: table sched_audit_logs has no column "clientAddress""#))
        #expect(message.contains("sinks.db.columns[2].value: attributes (json) cannot go into column userBatchedMode (BOOLEAN)"))
        #expect(message.contains(#"sinks.db.columns[3].type: "text", but column threadId of sched_audit_logs is BIGINT"#))
        #expect(try sqliteCount(file, "sched_audit_logs") == 0)
    }

    @Test("the default table missing with create_table false is an error at start")
    func noCreate() async throws {
        let folder = PipelineHarness.temporaryDirectory("db-sqlite-nocreate")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = DatabaseTestPipelines.harness()
        let text = DatabaseTestPipelines.text(dataDirectory: "\(folder)/data", count: 3,
                                              sink: #""url": "sqlite://\#(folder)/x.db", "create_table": false"#)
        let error = await #expect(throws: (any Error).self) { _ = try await harness.runUntilIdle(text, timeout: .seconds(60)) }
        #expect("\(error!)".contains("sinks.db.table: table audit_events does not exist and create_table is false"))
    }
}

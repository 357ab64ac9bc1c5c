import Collector
import GRDB
import GRDBSQLite
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An SQLite file through GRDB: WAL, `synchronous=FULL`, a busy timeout, file mode 0640.
///
/// `synchronous=FULL` makes every commit wait for the WAL to reach the disk, so a batch acknowledged
/// after its commit survives a power loss. `NORMAL` would still keep the file consistent, but the
/// last transactions before a power loss or OS crash could roll back after being acknowledged, and
/// the source would not send them again: audit events lost.
///
/// GRDB runs every statement on its own serial queue, off Swift's cooperative pool.
public final class SQLiteStore: DatabaseStore {
    public let path: String
    public let busyTimeoutMilliseconds: Int
    public var dialect: SQLDialect { .sqlite }
    private let queue = Mutex<DatabaseQueue?>(nil)

    public init(path: String, busyTimeoutMilliseconds: Int = 10_000) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }

    public func open() async throws {
        if queue.withLock({ $0 }) != nil { return }
        try FileIO.makeDirectories(FileIO.parent(of: path))
        // Created here, 0640 whatever the umask; SQLite gives its -wal and -shm files the same mode.
        let fd = Glibc.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o640)
        if fd >= 0 {
            fchmod(fd, 0o640)
            Glibc.close(fd)
        } else if errno != EEXIST {
            throw CollectorError(.io, "cannot create the database file: \(FileIO.errorText())", context: path)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Double(busyTimeoutMilliseconds) / 1000)
        configuration.label = "collector.database"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            let opened = try DatabaseQueue(path: path, configuration: configuration)
            queue.withLock { $0 = opened }
        } catch {
            throw Self.mapped(error, context: path)
        }
    }

    private func database() throws -> DatabaseQueue {
        guard let database = queue.withLock({ $0 }) else {
            throw CollectorError.retriable(.io, "the database is not open", context: path)
        }
        return database
    }

    public func columns(of table: TableName) async throws -> [TableColumn]? {
        let quoted = SQLDialect.quote(table: table)
        do {
            return try await database().read { db -> [TableColumn]? in
                let rows = try Row.fetchAll(db, sql: "PRAGMA table_info(\(quoted))")
                if rows.isEmpty { return nil }
                return rows.map { row in
                    let name: String = row["name"]
                    let declared: String = row["type"] ?? ""
                    let notNull: Int = row["notnull"]
                    let hasDefault = (row["dflt_value"] as String?) != nil
                    return TableColumn(name: name, declared: declared, notNull: notNull != 0, hasDefault: hasDefault)
                }
            }
        } catch {
            throw Self.mapped(error, context: path)
        }
    }

    public func isUnique(_ table: TableName, column: String) async throws -> Bool {
        let quoted = SQLDialect.quote(table: table)
        do {
            return try await database().read { db -> Bool in
                let info = try Row.fetchAll(db, sql: "PRAGMA table_info(\(quoted))")
                let primaryKey = info.filter { ($0["pk"] as Int) > 0 }
                if primaryKey.count == 1, (primaryKey[0]["name"] as String) == column { return true }
                for index in try Row.fetchAll(db, sql: "PRAGMA index_list(\(quoted))") {
                    guard (index["unique"] as Int) == 1, (index["partial"] as Int? ?? 0) == 0 else { continue }
                    let name: String = index["name"]
                    let parts = try Row.fetchAll(db, sql: "PRAGMA index_info(\(SQLDialect.quote(name)))")
                    if parts.count == 1, (parts[0]["name"] as String?) == column { return true }
                }
                return false
            }
        } catch {
            throw Self.mapped(error, context: path)
        }
    }

    public func schemaVersion(of table: TableName) async throws -> Int? {
        do {
            return try await database().read { db -> Int? in
                guard try db.tableExists(AuditEventsTable.versionTable) else { return nil }
                return try Int.fetchOne(db, sql: "SELECT version FROM \(AuditEventsTable.versionTable) WHERE table_name = ?",
                                        arguments: [table.description])
            }
        } catch {
            throw Self.mapped(error, context: path)
        }
    }

    public func execute(_ statements: [String], recording version: (table: TableName, version: Int)?) async throws {
        do {
            try await database().write { db in
                for statement in statements { try db.execute(sql: statement) }
                if let version {
                    try db.execute(sql: AuditEventsTable.versionTableDDL(.sqlite))
                    try db.execute(sql: """
                        INSERT INTO \(AuditEventsTable.versionTable) (table_name, version, applied_at) VALUES (?, ?, ?)
                        ON CONFLICT (table_name) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at
                        """, arguments: [version.table.description, version.version, SQLValue.timeText(.now())])
                }
            }
        } catch {
            throw Self.mapped(error, context: path)
        }
    }

    public func insert(_ rows: [InsertRow], plan: InsertPlan) async throws -> [Int: String] {
        let table = SQLDialect.quote(table: plan.table)
        let names = plan.columns.map { SQLDialect.quote($0.name) }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: plan.columns.count).joined(separator: ", ")
        var sql = "INSERT INTO \(table) (\(names)) VALUES (\(marks))"
        if let key = plan.keyColumn { sql += " ON CONFLICT (\(SQLDialect.quote(key))) DO NOTHING" }
        let ledger = plan.keyColumn == nil
        let tableKey = plan.table.description
        let insertSQL = sql
        do {
            return try await database().write { db -> [Int: String] in
                let statement = try db.cachedStatement(sql: insertSQL)
                let claim = ledger ? try db.cachedStatement(sql: """
                    INSERT INTO \(AuditEventsTable.ledgerTable) (table_name, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING
                    """) : nil
                var refused: [Int: String] = [:]
                for (index, row) in rows.enumerated() {
                    if let claim {
                        try claim.execute(arguments: [tableKey, row.eventID])
                        if db.changesCount == 0 { continue }  // already written
                    }
                    do {
                        try statement.execute(arguments: StatementArguments(row.values.map(Self.databaseValue)))
                    } catch let error as DatabaseError where Self.isRowError(error) {
                        refused[index] = "SQLite: \(error.message ?? "\(error.resultCode)")"
                        // sqlite3_reset repeats the failed step's error once: clear it here, not on the next row.
                        sqlite3_reset(statement.sqliteStatement)
                        if ledger {
                            try db.execute(sql: "DELETE FROM \(AuditEventsTable.ledgerTable) WHERE table_name = ? AND event_id = ?",
                                           arguments: [tableKey, row.eventID])
                        }
                    }
                }
                return refused
            }
        } catch {
            throw Self.mapped(error, context: path)
        }
    }

    public func close() async {
        let database = queue.withLock { queue -> DatabaseQueue? in
            defer { queue = nil }
            return queue
        }
        try? database?.close()
    }

    // MARK: Values and errors

    static func databaseValue(_ value: SQLValue) -> (any DatabaseValueConvertible)? {
        switch value {
        case .null: return nil
        case .text(let text): return text
        case .integer(let number): return number
        case .real(let number): return number
        case .boolean(let flag): return flag
        case .time(let time): return SQLValue.timeText(time)
        case .json(let text): return text
        }
    }

    /// Errors that belong to one row: a constraint other than the key, a type, a size.
    static func isRowError(_ error: DatabaseError) -> Bool {
        switch error.resultCode {
        case .SQLITE_CONSTRAINT, .SQLITE_MISMATCH, .SQLITE_TOOBIG, .SQLITE_RANGE: return true
        default: return false
        }
    }

    /// Busy and locked files, I/O errors, a full disk: retriable. Errors in the collector's own SQL
    /// are retriable too (a table dropped under the running sink comes back when recreated); the
    /// engine logs each retry.
    static func mapped(_ error: any Error, context: String) -> any Error {
        if error is CollectorError || error is CancellationError { return error }
        if let error = error as? DatabaseError {
            return CollectorError.retriable(.io, "SQLite: \(error.message ?? "") (\(error.resultCode))", context: context)
        }
        return CollectorError.retriable(.io, "SQLite: \(error)", context: context)
    }
}

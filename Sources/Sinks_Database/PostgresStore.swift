import Collector
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A PostgreSQL database through postgres-nio's `PostgresClient`: a small pool, TLS as configured,
/// batches sent with `COPY` into a per-connection temporary staging table and moved into the target
/// with one prepared `INSERT … SELECT … ON CONFLICT DO NOTHING`, all in one transaction.
///
/// A batch the database refuses as a whole for a data or constraint error (SQLSTATE 22, 23, 54) is
/// written again row by row, each in a savepoint, so the refused rows are named and the rest stored.
public final class PostgresStore: DatabaseStore {
    public let location: DatabaseURL.PostgresLocation
    public var dialect: SQLDialect { .postgres }
    private let password: String?
    private let tls: PostgresTLS
    private let poolSize: Int
    private let timeoutMilliseconds: Int
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var client: PostgresClient?
        var runTask: Task<Void, Never>?
        /// Connections that have the staging table and the prepared merge statement.
        var prepared: Set<PostgresConnection.ID> = []
    }

    private static let staging = "collector_staging"
    private static let merge = "collector_merge"

    /// - Parameters:
    ///   - timeoutMilliseconds: how long connecting and each statement of the set-up may take
    ///     before a retriable error (the pool keeps trying to connect in the background).
    public init(location: DatabaseURL.PostgresLocation, password: String?, tls: PostgresTLS, poolSize: Int = 2,
                timeoutMilliseconds: Int = 10_000, logger: Logger) {
        self.location = location
        self.password = password
        self.tls = tls
        self.poolSize = poolSize
        self.timeoutMilliseconds = timeoutMilliseconds
        self.logger = logger
    }

    private var context: String { DatabaseURL.postgres(location).description }

    public func open() async throws {
        let client: PostgresClient = state.withLock { state in
            if let client = state.client { return client }
            var configuration = PostgresClient.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: password, database: location.database, tls: tls.clientTLS)
            configuration.options.maximumConnections = poolSize
            configuration.options.minimumConnections = 0
            configuration.options.connectTimeout = .milliseconds(timeoutMilliseconds)
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            state.client = client
            state.prepared = []
            state.runTask = Task { await client.run() }
            return client
        }
        try await deadline("connecting") {
            // The rows are read to the end: that gives the connection back to the pool.
            for try await _ in try await client.query("SELECT 1") {}
        }
    }

    private func client() throws -> PostgresClient {
        guard let client = state.withLock({ $0.client }) else {
            throw CollectorError.retriable(.connection, "not connected", context: context)
        }
        return client
    }

    /// Runs `body`, or throws a retriable timeout when it has not finished within the store's timeout.
    @discardableResult
    private func deadline<T: Sendable>(_ what: String, milliseconds: Int? = nil,
                                       _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let limit = milliseconds ?? timeoutMilliseconds
        let context = self.context
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(limit))
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                guard let value = first else {
                    throw CollectorError.retriable(.timeout, "\(what): no answer within \(limit) ms", context: context)
                }
                return value
            }
        } catch {
            throw PostgresErrors.mapped(error, context: context)
        }
    }

    public func columns(of table: TableName) async throws -> [TableColumn]? {
        let client = try client()
        let name = SQLDialect.quote(table: table)
        return try await deadline("reading the columns of \(table)") { () -> [TableColumn]? in
            let exists = try await client.query("SELECT to_regclass(\(name)) IS NOT NULL")
            var found = false
            for try await (flag) in exists.decode(Bool.self) { found = flag }
            guard found else { return nil }
            let rows = try await client.query("""
                SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef
                FROM pg_attribute a WHERE a.attrelid = to_regclass(\(name)) AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """)
            var columns: [TableColumn] = []
            for try await (column, declared, notNull, hasDefault) in rows.decode((String, String, Bool, Bool).self) {
                columns.append(TableColumn(name: column, declared: declared, notNull: notNull, hasDefault: hasDefault))
            }
            return columns
        }
    }

    public func isUnique(_ table: TableName, column: String) async throws -> Bool {
        let client = try client()
        let name = SQLDialect.quote(table: table)
        return try await deadline("reading the indexes of \(table)") {
            let rows = try await client.query("""
                SELECT EXISTS (SELECT 1 FROM pg_index i
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                  WHERE i.indrelid = to_regclass(\(name)) AND i.indisunique AND i.indnkeyatts = 1
                    AND i.indpred IS NULL AND a.attname::text = \(column))
                """)
            var unique = false
            for try await (flag) in rows.decode(Bool.self) { unique = flag }
            return unique
        }
    }

    public func schemaVersion(of table: TableName) async throws -> Int? {
        let client = try client()
        let key = table.description
        return try await deadline("reading the schema version") { () -> Int? in
            var exists = false
            for try await (flag) in try await client.query("SELECT to_regclass(\(AuditEventsTable.versionTable)) IS NOT NULL").decode(Bool.self) {
                exists = flag
            }
            guard exists else { return nil }
            var version: Int?
            let rows = try await client.query(
                "SELECT version::int8 FROM \(unescaped: AuditEventsTable.versionTable) WHERE table_name = \(key)")
            for try await (value) in rows.decode(Int.self) { version = value }
            return version
        }
    }

    public func execute(_ statements: [String], recording version: (table: TableName, version: Int)?) async throws {
        let client = try client()
        let logger = self.logger
        let record = version.map { ($0.table.description, $0.version) }
        try await deadline("changing the schema", milliseconds: max(timeoutMilliseconds, 60_000)) {
            try await client.withTransaction(logger: logger) { connection in
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                if let (table, number) = record {
                    try await connection.query(PostgresQuery(unsafeSQL: AuditEventsTable.versionTableDDL(.postgres)), logger: logger)
                    try await connection.query("""
                        INSERT INTO \(unescaped: AuditEventsTable.versionTable) (table_name, version, applied_at)
                        VALUES (\(table), \(number), \(SQLValue.timeText(.now())))
                        ON CONFLICT (table_name) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at
                        """, logger: logger)
                }
            }
        }
    }

    // MARK: Inserting

    public func insert(_ rows: [InsertRow], plan: InsertPlan) async throws -> [Int: String] {
        guard !rows.isEmpty else { return [:] }
        let client = try client()
        let logger = self.logger
        let statements = Self.statements(plan)
        // Generous: a large batch over a slow link; an outage ends it early with a connection error.
        return try await deadline("writing \(rows.count) rows", milliseconds: max(timeoutMilliseconds * 12, 120_000)) {
            try await client.withConnection { connection in
                try await self.prepare(connection, statements)
                do {
                    try await connection.withTransaction(logger: logger) { connection in
                        try await Self.copy(rows, ledger: plan.keyColumn == nil, statements.columns, connection, logger)
                        try await connection.query("EXECUTE \(unescaped: Self.merge)", logger: logger)
                    }
                    return [:]
                } catch where PostgresErrors.isRowError(error) {
                    logger.debug("batch refused (\(PostgresErrors.reason(error))); writing it row by row")
                    return try await Self.insertRowByRow(rows, ledger: plan.keyColumn == nil, statements.columns, connection, logger)
                }
            }
        }
    }

    private struct Statements: Sendable {
        var columns: [String]
        var createStaging: String
        var prepareMerge: String
    }

    private static func statements(_ plan: InsertPlan) -> Statements {
        let target = SQLDialect.quote(table: plan.table)
        var stagingColumns = plan.columns.map { "\(SQLDialect.quote($0.name)) \($0.declared)" }
        var copyColumns = plan.columns.map(\.name)
        let names = plan.columns.map { SQLDialect.quote($0.name) }.joined(separator: ", ")
        let merge: String
        if let key = plan.keyColumn {
            merge = "INSERT INTO \(target) (\(names)) SELECT \(names) FROM \(staging) ON CONFLICT (\(SQLDialect.quote(key))) DO NOTHING"
        } else {
            stagingColumns.append("collector_event_id text")
            copyColumns.append("collector_event_id")
            let ledger = AuditEventsTable.ledgerTable
            let selected = plan.columns.map { "s." + SQLDialect.quote($0.name) }.joined(separator: ", ")
            merge = """
                WITH fresh AS (INSERT INTO \(ledger) (table_name, event_id)
                  SELECT \(SQLDialect.literal(plan.table.description)), collector_event_id FROM \(staging)
                  ON CONFLICT DO NOTHING RETURNING event_id)
                INSERT INTO \(target) (\(names)) SELECT \(selected) FROM \(staging) s JOIN fresh f ON f.event_id = s.collector_event_id
                """
        }
        return Statements(
            columns: copyColumns,
            createStaging: "CREATE TEMPORARY TABLE IF NOT EXISTS \(staging) (\(stagingColumns.joined(separator: ", "))) ON COMMIT DELETE ROWS",
            prepareMerge: "PREPARE \(Self.merge) AS \(merge)")
    }

    /// Gives a connection the staging table and the prepared merge, once.
    private func prepare(_ connection: PostgresConnection, _ statements: Statements) async throws {
        if state.withLock({ $0.prepared.contains(connection.id) }) { return }
        try await connection.query(PostgresQuery(unsafeSQL: statements.createStaging), logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statements.prepareMerge), logger: logger)
        } catch where PostgresErrors.sqlState(error) == "42P05" {
            // Already prepared on this connection.
        }
        _ = state.withLock { $0.prepared.insert(connection.id) }
    }

    private static func copy(_ rows: [InsertRow], ledger: Bool, _ columns: [String], _ connection: PostgresConnection,
                             _ logger: Logger) async throws {
        try await connection.copyFrom(table: staging, columns: columns, logger: logger) { writer in
            var buffer = ByteBufferAllocator().buffer(capacity: min(rows.count * 400, 1 << 20) + 4096)
            for row in rows {
                PostgresCopyText.append(row, ledger: ledger, to: &buffer)
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }

    private static func insertRowByRow(_ rows: [InsertRow], ledger: Bool, _ columns: [String],
                                       _ connection: PostgresConnection, _ logger: Logger) async throws -> [Int: String] {
        try await connection.withTransaction(logger: logger) { connection in
            var refused: [Int: String] = [:]
            for (index, row) in rows.enumerated() {
                try await connection.query("SAVEPOINT collector_row", logger: logger)
                do {
                    try await copy([row], ledger: ledger, columns, connection, logger)
                    try await connection.query("EXECUTE \(unescaped: merge)", logger: logger)
                    try await connection.query("DELETE FROM \(unescaped: staging)", logger: logger)
                    try await connection.query("RELEASE SAVEPOINT collector_row", logger: logger)
                } catch where isRowErrorOrCopyFailure(error) {
                    refused[index] = PostgresErrors.reason(error)
                    try await connection.query("ROLLBACK TO SAVEPOINT collector_row", logger: logger)
                }
            }
            return refused
        }
    }

    private static func isRowErrorOrCopyFailure(_ error: any Error) -> Bool {
        PostgresErrors.isRowError(error)
    }

    public func close() async {
        let (client, task) = state.withLock { state -> (PostgresClient?, Task<Void, Never>?) in
            defer {
                state.client = nil
                state.runTask = nil
                state.prepared = []
            }
            return (state.client, state.runTask)
        }
        _ = client
        task?.cancel()
        await task?.value
    }
}

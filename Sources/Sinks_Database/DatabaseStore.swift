import Collector

/// A SQL store the `database` sink writes to (and a later query module reads from).
///
/// Every method may be called again after it threw. Errors are `CollectorError`s: `isRetriable`
/// for what time can heal (connection lost, server restarting, lock or busy timeouts), not for what
/// needs a person (a wrong table).
public protocol DatabaseStore: Sendable {
    var dialect: SQLDialect { get }
    /// Opens the file or the connection pool. Idempotent.
    func open() async throws
    /// The table's columns in table order, or nil when there is no such table.
    func columns(of table: TableName) async throws -> [TableColumn]?
    /// Whether `column` alone is the table's primary key or has a unique index (what `ON CONFLICT` needs).
    func isUnique(_ table: TableName, column: String) async throws -> Bool
    /// The version recorded in `collector_schema` for the table, or nil.
    func schemaVersion(of table: TableName) async throws -> Int?
    /// Runs the statements in one transaction, and records the table's schema version with them when given.
    func execute(_ statements: [String], recording version: (table: TableName, version: Int)?) async throws
    /// Inserts the rows in one transaction, one row per event id; returns only after the commit.
    /// The result maps the index of each row the database refused for good to the reason; every
    /// other row is stored (or was already).
    func insert(_ rows: [InsertRow], plan: InsertPlan) async throws -> [Int: String]
    /// Closes. Idempotent; safe without `open()`.
    func close() async
}

/// A column as the database describes it.
public struct TableColumn: Sendable, Hashable {
    public var name: String
    /// The declared type as the database names it (`character varying(64)`, `BIGINT`).
    public var declared: String
    public var type: ColumnType
    public var notNull: Bool
    public var hasDefault: Bool

    public init(name: String, declared: String, notNull: Bool, hasDefault: Bool) {
        self.name = name
        self.declared = declared
        self.type = ColumnType(declared: declared)
        self.notNull = notNull
        self.hasDefault = hasDefault
    }
}

/// One event's row.
public struct InsertRow: Sendable {
    public var eventID: String
    public var values: [SQLValue]
}

/// What the sink inserts where, settled at start.
public struct InsertPlan: Sendable {
    public struct Column: Sendable, Hashable {
        /// The name as the table spells it.
        public var name: String
        public var field: EventField
        public var type: ColumnType
        /// The declared type (PostgreSQL's staging table copies it).
        public var declared: String
    }

    public var table: TableName
    public var columns: [Column]
    /// The unique column holding the event id (`ON CONFLICT (key) DO NOTHING`). Nil: the table has
    /// none, and the ids go to `collector_event_ids` in the same transaction instead.
    public var keyColumn: String?

    /// The row of `event`, or the reason it cannot be one.
    public func row(for event: AuditEvent) throws(ConversionError) -> InsertRow {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.count)
        for column in columns {
            do {
                values.append(try SQLValue.convert(column.field.value(in: event), to: column.type))
            } catch {
                throw ConversionError("column \(column.name) (\(column.type.rawValue)) from \(column.field): \(error.description)")
            }
        }
        return InsertRow(eventID: event.id, values: values)
    }
}

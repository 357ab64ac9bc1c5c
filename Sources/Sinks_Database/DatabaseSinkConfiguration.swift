import Collector

/// The `database` sink's settings, read and checked by `DatabaseSinkFactory` (no I/O).
public struct DatabaseSinkConfiguration: Sendable {
    /// Nil: `sqlite://<data_dir>/audit.db`.
    public var url: DatabaseURL?
    /// PostgreSQL password (resolved from its reference; never printed).
    public var password: Secret?
    public var table: TableName
    /// Empty: the default layout (`AuditEventsTable`).
    public var columns: [ColumnMapping]
    /// The mapped column holding the event id, with a unique index (nil: found by itself, or none).
    public var keyColumn: String?
    public var createTable: Bool
    public var tls: PostgresTLS
    public var poolSize: Int
    public var busyTimeoutMilliseconds: Int
    public var timeoutMilliseconds: Int
    /// The sink's place in the pipeline file (`sinks.audit_db`), for the errors found at start.
    public var place: String

    public init(url: DatabaseURL? = nil, password: Secret? = nil, table: TableName = TableName(AuditEventsTable.defaultName),
                columns: [ColumnMapping] = [], keyColumn: String? = nil, createTable: Bool = true,
                tls: PostgresTLS = PostgresTLS(), poolSize: Int = 2, busyTimeoutMilliseconds: Int = 10_000,
                timeoutMilliseconds: Int = 10_000, place: String = "sinks.database") {
        self.url = url
        self.password = password
        self.table = table
        self.columns = columns
        self.keyColumn = keyColumn
        self.createTable = createTable
        self.tls = tls
        self.poolSize = poolSize
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.timeoutMilliseconds = timeoutMilliseconds
        self.place = place
    }
}

/// One user column: `{"column": "elapsedTime", "value": "attributes.elapsed_ms", "type": "bigint"}`,
/// in the spirit of log4j's JDBC appender `ColumnMapping` (`literal` is a constant).
public struct ColumnMapping: Sendable, Hashable {
    /// The column's name as written (matched to the table's columns at start, exactly or else
    /// ignoring case when that is unambiguous, as PostgreSQL folds unquoted names).
    public var column: String
    public var field: EventField
    /// The type the user expects the column to have; checked against the table at start, and used
    /// when the sink creates the table.
    public var type: ColumnType?
    /// The mapping's place in the pipeline file, e.g. `sinks.audit_db.columns[2]`, for errors at start.
    public var place: String

    public init(column: String, field: EventField, type: ColumnType? = nil, place: String) {
        self.column = column
        self.field = field
        self.type = type
        self.place = place
    }
}

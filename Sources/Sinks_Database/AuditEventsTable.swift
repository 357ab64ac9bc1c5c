/// The default table, `audit_events`: every part of an event, one row per event id, with the
/// indexes the audit-log queries use (by resource type + name + time, by actor + time, by time).
///
/// Its schema is versioned: `migrations[n]` takes a table from version n to n + 1, and the version
/// is recorded in `collector_schema`. A later module reading the store uses `columns` to map rows
/// back to events.
public enum AuditEventsTable {
    public static let defaultName = "audit_events"

    /// A column of the default table.
    public struct Column: Sendable, Hashable {
        public var name: String
        public var field: EventField
        public var type: ColumnType
        public var notNull: Bool
    }

    /// The columns, in table order. `time` is a `timestamptz` in PostgreSQL and RFC 3339 UTC text with
    /// microseconds in SQLite (sortable); `utc_offset` keeps the origin's zone (seconds east of UTC);
    /// `attributes` is JSON (`jsonb` in PostgreSQL) written by the core's encoder.
    public static let columns: [Column] = [
        Column(name: "id", field: .id, type: .text, notNull: true),
        Column(name: "time", field: .time, type: .timestamptz, notNull: true),
        Column(name: "utc_offset", field: .utcOffset, type: .integer, notNull: true),
        Column(name: "actor_id", field: .actorID, type: .text, notNull: false),
        Column(name: "actor_name", field: .actorName, type: .text, notNull: false),
        Column(name: "actor_proxy_user", field: .actorProxyUser, type: .text, notNull: false),
        Column(name: "actor_client_ip", field: .actorClientIP, type: .text, notNull: false),
        Column(name: "actor_auth_method", field: .actorAuthMethod, type: .text, notNull: false),
        Column(name: "actor_session", field: .actorSession, type: .text, notNull: false),
        Column(name: "action_type", field: .actionType, type: .text, notNull: true),
        Column(name: "outcome", field: .outcome, type: .text, notNull: true),
        Column(name: "resource_type", field: .resourceType, type: .text, notNull: true),
        Column(name: "resource_name", field: .resourceName, type: .text, notNull: true),
        Column(name: "application_name", field: .applicationName, type: .text, notNull: true),
        Column(name: "application_component", field: .applicationComponent, type: .text, notNull: true),
        Column(name: "application_host", field: .applicationHost, type: .text, notNull: true),
        Column(name: "attributes", field: .attributes, type: .json, notNull: true),
    ]

    /// The key column (primary key: one row per event id).
    public static let keyColumn = "id"

    /// The schema version this build writes.
    public static var currentVersion: Int { migrations(table: TableName(defaultName), dialect: .sqlite).count }

    /// The statements of each migration, in order: `[0]` creates version 1.
    public static func migrations(table: TableName, dialect: SQLDialect) -> [[String]] {
        let quoted = SQLDialect.quote(table: table)
        let prefix = table.name
        let definitions = columns.map { column in
            var text = "\(SQLDialect.quote(column.name)) \(dialect.declaration(column.type))"
            if column.name == keyColumn { text += " PRIMARY KEY" } else if column.notNull { text += " NOT NULL" }
            return text
        }
        func index(_ suffix: String, _ columns: String) -> String {
            let name = table.schema.map { SQLDialect.quote($0) + "." } ?? ""
            return dialect == .sqlite
                ? "CREATE INDEX \(name)\(SQLDialect.quote(prefix + "_" + suffix)) ON \(SQLDialect.quote(table.name)) (\(columns))"
                : "CREATE INDEX \(SQLDialect.quote(prefix + "_" + suffix)) ON \(quoted) (\(columns))"
        }
        return [[
            "CREATE TABLE \(quoted) (\n  " + definitions.joined(separator: ",\n  ") + "\n)",
            index("resource_time", "resource_type, resource_name, time"),
            index("actor_time", "actor_name, time"),
            index("time", "time"),
        ]]
    }

    /// The schema-version table (one row per table the collector manages).
    public static let versionTable = "collector_schema"

    public static func versionTableDDL(_ dialect: SQLDialect) -> String {
        "CREATE TABLE IF NOT EXISTS \(versionTable) (table_name TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_at TEXT NOT NULL)"
    }

    /// Event ids already written to a mapped table that has no key column of its own.
    public static let ledgerTable = "collector_event_ids"

    public static func ledgerDDL(_ dialect: SQLDialect) -> String {
        "CREATE TABLE IF NOT EXISTS \(ledgerTable) (table_name TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (table_name, event_id))"
    }
}

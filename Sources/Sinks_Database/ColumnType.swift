/// The kind of a table column, as far as converting an event's value goes.
///
/// Read from the table itself at start (SQLite's declared type, PostgreSQL's `format_type`), or from
/// a mapping's `type`. Types this list does not know (`uuid`, `inet`, ...) are `other`: the value is
/// sent as text and the database parses it (a value it refuses is that event's rejection).
public enum ColumnType: String, Sendable, Hashable, CaseIterable {
    case text, integer, real, boolean, timestamptz, timestamp, json, other

    /// The names a mapping's `type` accepts.
    public static let accepted = ["text", "varchar", "bigint", "integer", "int", "smallint", "double", "real", "numeric",
                                  "boolean", "timestamptz", "timestamp", "json", "jsonb"]

    /// The type of a declared SQL type name (`character varying(255)`, `BIGINT`, `timestamp with time zone`, `jsonb`...).
    public init(declared: String) {
        let name = declared.lowercased()
        func has(_ part: String) -> Bool { name.contains(part) }
        if name.isEmpty { self = .text }
        else if has("json") { self = .json }
        else if has("timestamp with time zone") || has("timestamptz") { self = .timestamptz }
        else if has("timestamp") || has("datetime") { self = .timestamp }
        else if has("bool") { self = .boolean }
        else if has("int") { self = .integer }  // SQLite affinity rule 1; PostgreSQL smallint/integer/bigint
        else if has("char") || has("clob") || has("text") || has("string") { self = .text }
        else if has("real") || has("floa") || has("doub") || has("numeric") || has("decimal") { self = .real }
        else { self = .other }
    }

    /// Whether a value of `kind` can go into a column of this type at all (the check made at start;
    /// text values are converted per event, and a value that does not convert is that event's rejection).
    public func accepts(_ kind: FieldValue.Kind) -> Bool {
        switch (self, kind) {
        case (.text, _), (.other, _), (_, .text): return true
        case (.json, _): return true
        case (.integer, .integer), (.integer, .time), (.real, .integer), (.real, .time): return true
        case (.timestamptz, .time), (.timestamp, .time): return true
        default: return false
        }
    }
}

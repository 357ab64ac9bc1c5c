/// The SQL differences between the two stores that the schema and insert code care about.
public enum SQLDialect: String, Sendable {
    case sqlite, postgres

    /// A double-quoted identifier (`"elapsedTime"`), quotes doubled.
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    /// A qualified name (`audit.sched_audit_logs` → `"audit"."sched_audit_logs"`).
    public static func quote(table: TableName) -> String {
        if let schema = table.schema { return quote(schema) + "." + quote(table.name) }
        return quote(table.name)
    }

    /// A single-quoted string literal.
    public static func literal(_ text: String) -> String {
        "'" + text.replacingAll("'", with: "''") + "'"
    }

    /// The declared type a column of `type` gets when the sink creates a table.
    public func declaration(_ type: ColumnType) -> String {
        switch (self, type) {
        case (.sqlite, .text), (.sqlite, .other), (.sqlite, .timestamptz), (.sqlite, .timestamp): return "TEXT"
        case (.sqlite, .integer), (.sqlite, .boolean): return "INTEGER"
        case (.sqlite, .real): return "REAL"
        case (.sqlite, .json): return "JSON"
        case (.postgres, .text), (.postgres, .other): return "text"
        case (.postgres, .integer): return "bigint"
        case (.postgres, .real): return "double precision"
        case (.postgres, .boolean): return "boolean"
        case (.postgres, .timestamptz): return "timestamptz"
        case (.postgres, .timestamp): return "timestamp"
        case (.postgres, .json): return "jsonb"
        }
    }
}

/// A table name, optionally with its schema (`audit.events`).
public struct TableName: Sendable, Hashable, CustomStringConvertible {
    public var schema: String?
    public var name: String

    public init(_ text: String) {
        if let dot = text.lastIndex(of: ".") {
            schema = String(text[..<dot])
            name = String(text[text.index(after: dot)...])
        } else {
            schema = nil
            name = text
        }
    }

    public var description: String { schema.map { "\($0).\(name)" } ?? name }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}

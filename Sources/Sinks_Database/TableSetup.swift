import Collector
import Logging

/// Settles, at start, what the sink inserts where: creates a missing table (when allowed), applies
/// the default table's versioned migrations, and checks a mapped table against its mappings.
/// Nothing is written to an existing table here, and no existing table is altered.
struct TableSetup {
    let configuration: DatabaseSinkConfiguration
    let store: any DatabaseStore
    let logger: Logger

    func plan() async throws -> InsertPlan {
        configuration.columns.isEmpty ? try await defaultPlan() : try await mappedPlan()
    }

    private func refuse(_ problems: [String]) -> CollectorError {
        CollectorError(.configuration, problems.joined(separator: "\n"))
    }

    // MARK: The default table

    private func defaultPlan() async throws -> InsertPlan {
        let table = configuration.table
        let dialect = store.dialect
        let migrations = AuditEventsTable.migrations(table: table, dialect: dialect)
        let existing = try await store.columns(of: table)
        if existing == nil {
            guard configuration.createTable else {
                throw refuse(["\(configuration.place).table: table \(table) does not exist and create_table is false"])
            }
            logger.info("creating table \(table) (schema version \(migrations.count))")
            try await store.execute(migrations.flatMap { $0 }, recording: (table, migrations.count))
        } else {
            let names = Set(existing!.map(\.name))
            let version = try await store.schemaVersion(of: table)
            if let version, version > migrations.count {
                throw refuse(["\(configuration.place).table: \(table) has schema version \(version), newer than this collector's \(migrations.count)"])
            }
            if version == nil || version! == migrations.count {
                let missing = AuditEventsTable.columns.map(\.name).filter { !names.contains($0) }
                if !missing.isEmpty {
                    throw refuse(["\(configuration.place).table: table \(table) exists but is not a collector audit table (no column \(missing.joined(separator: ", "))); name another table, or map its columns with columns"])
                }
                if version == nil {
                    logger.info("table \(table) has the audit_events layout; recording schema version \(migrations.count)")
                    try await store.execute([], recording: (table, migrations.count))
                }
            } else if let version {
                guard configuration.createTable else {
                    throw refuse(["\(configuration.place).table: \(table) has schema version \(version); version \(migrations.count) is needed and create_table is false"])
                }
                logger.notice("migrating table \(table) from schema version \(version) to \(migrations.count)")
                try await store.execute(migrations[version...].flatMap { $0 }, recording: (table, migrations.count))
            }
        }
        let columns = AuditEventsTable.columns.map {
            InsertPlan.Column(name: $0.name, field: $0.field, type: $0.type, declared: dialect.declaration($0.type))
        }
        return InsertPlan(table: table, columns: columns, keyColumn: AuditEventsTable.keyColumn)
    }

    // MARK: A mapped table

    private func mappedPlan() async throws -> InsertPlan {
        let place = configuration.place
        var table = configuration.table
        var existing = try await store.columns(of: table)
        if existing == nil, table.name != table.name.lowercased() {
            // PostgreSQL folds unquoted names: a table created as sched_Audit is sched_audit.
            let folded = TableName(table.description.lowercased())
            if let found = try await store.columns(of: folded) {
                table = folded
                existing = found
            }
        }
        guard let existing else {
            guard configuration.createTable else {
                throw refuse(["\(place).table: table \(table) does not exist and create_table is false"])
            }
            return try await createMapped(table)
        }
        var problems: [String] = []
        var columns: [InsertPlan.Column] = []
        for mapping in configuration.columns {
            let exact = existing.first { $0.name == mapping.column }
            let folded = existing.filter { $0.name.lowercased() == mapping.column.lowercased() }
            guard let column = exact ?? (folded.count == 1 ? folded[0] : nil) else {
                let names = existing.map(\.name).joined(separator: ", ")
                problems.append("\(mapping.place).column: table \(table) has no column \"\(mapping.column)\" (its columns: \(names))")
                continue
            }
            if let declared = mapping.type, declared != column.type, column.type != .other {
                problems.append("\(mapping.place).type: \"\(declared.rawValue)\", but column \(column.name) of \(table) is \(column.declared)")
                continue
            }
            if !column.type.accepts(mapping.field.kind) {
                problems.append("\(mapping.place).value: \(mapping.field) (\(mapping.field.kind.rawValue)) cannot go into column \(column.name) (\(column.declared))")
                continue
            }
            columns.append(InsertPlan.Column(name: column.name, field: mapping.field, type: column.type, declared: column.declared))
        }
        let mapped = Set(columns.map(\.name))
        for column in existing where column.notNull && !column.hasDefault && !mapped.contains(column.name) {
            problems.append("\(place).columns: column \(column.name) of \(table) is NOT NULL without a default, and no mapping fills it")
        }
        if !problems.isEmpty { throw refuse(problems) }
        return InsertPlan(table: table, columns: columns, keyColumn: try await key(table, columns))
    }

    /// The key column: the one named by key_column (which must be unique), or else an id column
    /// that is unique; nil when there is none (ids then go to the ledger table).
    private func key(_ table: TableName, _ columns: [InsertPlan.Column]) async throws -> String? {
        let place = configuration.place
        if let named = configuration.keyColumn {
            let column = columns.first { $0.name == named } ?? columns.first { $0.name.lowercased() == named.lowercased() }
            guard let column, try await store.isUnique(table, column: column.name) else {
                throw refuse(["\(place).key_column: column \(named) of \(table) has no primary key or unique index of its own; ON CONFLICT needs one"])
            }
            return column.name
        }
        for column in columns where column.field == .id {
            if try await store.isUnique(table, column: column.name) { return column.name }
        }
        logger.info("table \(table) has no unique event-id column: written ids are kept in \(AuditEventsTable.ledgerTable) (same transaction)")
        try await store.execute([AuditEventsTable.ledgerDDL(store.dialect)], recording: nil)
        return nil
    }

    private func createMapped(_ table: TableName) async throws -> InsertPlan {
        let dialect = store.dialect
        let key = configuration.keyColumn ?? configuration.columns.first { $0.field == .id }?.column
        var definitions: [String] = []
        var columns: [InsertPlan.Column] = []
        for mapping in configuration.columns {
            let type = mapping.type ?? {
                switch mapping.field.kind {
                case .time: return .timestamptz
                case .integer: return .integer
                case .json: return .json
                case .text: return .text
                }
            }()
            let declared = dialect.declaration(type)
            definitions.append("\(SQLDialect.quote(mapping.column)) \(declared)" + (mapping.column == key ? " PRIMARY KEY" : ""))
            columns.append(InsertPlan.Column(name: mapping.column, field: mapping.field, type: type, declared: declared))
        }
        logger.info("creating table \(table) from the column mappings")
        var statements = ["CREATE TABLE \(SQLDialect.quote(table: table)) (\(definitions.joined(separator: ", ")))"]
        if key == nil { statements.append(AuditEventsTable.ledgerDDL(dialect)) }
        try await store.execute(statements, recording: nil)
        return InsertPlan(table: table, columns: columns, keyColumn: key)
    }
}

import Collector

/// Makes `database` sinks. Reading the configuration checks the URL, the TLS keys and every column
/// mapping's field name and type (no I/O); the table itself is checked when the sink starts.
public struct DatabaseSinkFactory: SinkFactory {
    public init() {}
    public var type: String { "database" }
    /// A store is a network sink (DESIGN: disk buffer by default, so a database that is down never
    /// holds back enrichment or the other sinks); one batch at a time, because SQLite has one writer.
    public var defaults: SinkDefaults { SinkDefaults(buffer: .disk, inFlight: 1) }
    public var summary: String {
        "writes one row per event id into SQLite (embedded default) or PostgreSQL: default table audit_events or mapped columns; commits before acknowledging"
    }

    public func configuration(_ config: ConfigSection) -> DatabaseSinkConfiguration {
        var configuration = DatabaseSinkConfiguration(place: config.path)
        if let text = config.string("url", doc: "sqlite:///path/file.db or postgresql://user@host:port/database (default: sqlite://<data_dir>/audit.db)") {
            switch DatabaseURL.parse(text) {
            case .success(let url): configuration.url = url
            case .failure(let error): config.report("url", error.description)
            }
        }
        configuration.password = config.secret("password", doc: "PostgreSQL password (reference only)")
        let table = config.string("table", default: AuditEventsTable.defaultName,
                                  doc: "table to fill (schema.table allowed)") ?? AuditEventsTable.defaultName
        if table.isEmpty { config.report("table", "must not be empty") }
        configuration.table = TableName(table)
        configuration.columns = Self.readColumns(config)
        configuration.keyColumn = config.string("key_column", doc: "mapped column holding the event id, with a unique index (default: found by itself; none: ids kept in collector_event_ids)")
        configuration.createTable = config.bool("create_table", default: true,
                                                doc: "create the table (and its schema-version record) when missing; an existing table is never altered")
        configuration.poolSize = config.int("pool_size", default: 2, range: 1...32, doc: "PostgreSQL connections at most")
        configuration.busyTimeoutMilliseconds = config.int("busy_timeout_ms", default: 10_000, range: 0...3_600_000,
                                                           doc: "SQLite: how long a write waits for a lock before failing (retriable)")
        configuration.timeoutMilliseconds = config.int("timeout_ms", default: 10_000, range: 100...3_600_000,
                                                       doc: "PostgreSQL: connect and set-up timeout (retriable)")
        let tls = config.section("tls", doc: "PostgreSQL TLS")
        let mode = tls.choice("mode", PostgresTLS.Mode.allCases.map(\.rawValue), default: PostgresTLS.Mode.verifyFull.rawValue,
                              doc: "verify-full (certificate and host name), verify-ca, require (encrypted, unchecked), disable")
        configuration.tls = PostgresTLS(mode: PostgresTLS.Mode(rawValue: mode) ?? .verifyFull,
                                        caFile: tls.string("ca_file", doc: "PEM file of the CA(s) to trust instead of the system's"))
        tls.finish()
        if configuration.tls.mode == .disable || configuration.tls.mode == .require, configuration.tls.caFile != nil {
            tls.report("ca_file", "has no effect with mode \"\(mode)\" (use verify-full or verify-ca)")
        }
        if case .sqlite = configuration.url, configuration.password != nil {
            config.report("password", "SQLite has no password")
        }
        if let key = configuration.keyColumn {
            if configuration.columns.isEmpty {
                config.report("key_column", "only with columns (the default table's key is id)")
            } else if !configuration.columns.contains(where: { $0.column == key && $0.field == .id }) {
                config.report("key_column", "\"\(key)\" must be one of the columns, mapped from the value \"id\"")
            }
        }
        return configuration
    }

    /// `columns`: `[{"column": "clientIP", "value": "actor.client_ip"}, {"column": "elapsedTime",
    /// "value": "attributes.elapsed_ms", "type": "bigint"}, {"column": "logLevel", "literal": "INFO"}]`.
    static func readColumns(_ config: ConfigSection) -> [ColumnMapping] {
        guard let raw = config.raw("columns", type: "[{column, value | literal, type}]",
                                   doc: "column mappings (default: the audit_events layout); value: an event field such as actor.client_ip, attributes.NAME, attributes, event") else {
            return []
        }
        guard case .array(let items) = raw else {
            config.report("columns", "expected a list of {\"column\": …, \"value\": …}, found \(raw.kindName)")
            return []
        }
        if items.isEmpty { config.report("columns", "must not be empty (leave it out for the default table)") }
        var mappings: [ColumnMapping] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let place = "columns[\(index)]"
            guard case .object(let members) = item else {
                config.report(place, "expected an object, found \(item.kindName)")
                continue
            }
            var column: String?
            var field: EventField?
            var type: ColumnType?
            var hasValue = false
            for (key, value) in members {
                guard case .string(let text) = value else {
                    config.report("\(place).\(key)", "expected a string, found \(value.kindName)")
                    continue
                }
                switch key {
                case "column":
                    if text.isEmpty { config.report("\(place).column", "must not be empty") }
                    column = text
                case "value":
                    hasValue = true
                    if let parsed = EventField.parse(text) {
                        field = parsed
                    } else {
                        var message = "unknown event field \"\(text)\""
                        let names = EventField.names.map(\.0)
                        if let near = nearest(text, names) { message += " (did you mean \"\(near)\"?)" }
                        message += "; known: \(names.joined(separator: ", ")), attributes.NAME"
                        config.report("\(place).value", message)
                    }
                case "literal":
                    hasValue = true
                    field = .literal(text)
                case "type":
                    if ColumnType.accepted.contains(text.lowercased()) {
                        type = ColumnType(declared: text.lowercased() == "varchar" ? "text" : text)
                    } else {
                        config.report("\(place).type", "\"\(text)\" is not one of \(ColumnType.accepted.joined(separator: ", "))")
                    }
                default:
                    var message = "unknown key"
                    if let near = nearest(key, ["column", "value", "literal", "type"]) { message += " (did you mean \"\(near)\"?)" }
                    config.report("\(place).\(key)", message)
                }
            }
            if members.contains(where: { $0.key == "value" }) && members.contains(where: { $0.key == "literal" }) {
                config.report(place, "value and literal exclude each other")
            }
            if column == nil { config.report("\(place).column", "missing required key") }
            if !hasValue { config.report("\(place).value", "missing: give an event field (value) or a constant (literal)") }
            guard let column, let field else { continue }
            if !seen.insert(column.lowercased()).inserted {
                config.report("\(place).column", "column \"\(column)\" is mapped twice")
            }
            mappings.append(ColumnMapping(column: column, field: field, type: type, place: config.place(place)))
        }
        return mappings
    }

    private static func nearest(_ word: String, _ candidates: [String]) -> String? {
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(Array(word.lowercased()), Array(candidate.lowercased()))
            if distance <= max(2, word.count / 3), distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    public func makeSink(_ configuration: DatabaseSinkConfiguration, context: ComponentContext) throws -> any Sink {
        DatabaseSink(configuration: configuration, store: DatabaseStores.make(configuration, dataDirectory: context.dataDirectory,
                                                                               logger: context.logger),
                     logger: context.logger)
    }
}

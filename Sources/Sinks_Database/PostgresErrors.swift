import Collector
import PostgresNIO

/// Sorts PostgreSQL failures into per-row rejections, retriable failures and configuration errors.
enum PostgresErrors {
    /// The server error inside `error` (also inside a transaction error), if any.
    static func serverError(_ error: any Error) -> PSQLError? {
        if let error = error as? PSQLError { return error }
        if let error = error as? PostgresTransactionError {
            for inner in [error.closureError, error.beginError, error.commitError] {
                if let inner, let found = serverError(inner) { return found }
            }
        }
        return nil
    }

    static func sqlState(_ error: any Error) -> String? {
        serverError(error)?.serverInfo?[.sqlState]
    }

    /// Data exceptions (22), integrity constraints (23) and program limits such as a row too large
    /// (54): the row is wrong, not the connection.
    static func isRowError(_ error: any Error) -> Bool {
        guard let state = sqlState(error) else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23") || state.hasPrefix("54")
    }

    /// A readable reason that names the column or constraint, never the values sent.
    static func reason(_ error: any Error) -> String {
        guard let psql = serverError(error) else { return "\(error)" }
        guard let info = psql.serverInfo else { return "PostgreSQL: \(psql.code)" }
        var text = "PostgreSQL: \(info[.message] ?? "error")"
        if let column = info[.columnName] { text += " (column \(column))" }
        if let constraint = info[.constraintName] { text += " (constraint \(constraint))" }
        if let state = info[.sqlState] { text += " [SQLSTATE \(state)]" }
        return text
    }

    /// Authentication (28), a missing database (3D000) and privileges (42501) need a person; the rest
    /// (connection lost, server shutting down or starting, lock timeouts, deadlocks) is retriable.
    static func mapped(_ error: any Error, context: String) -> any Error {
        if error is CollectorError || error is CancellationError { return error }
        if let state = sqlState(error), state.hasPrefix("28") || state == "3D000" {
            return CollectorError(.configuration, reason(error), context: context)
        }
        if let psql = serverError(error), psql.code != .server {
            return CollectorError.retriable(.connection, "PostgreSQL: \(psql.code)" + (psql.underlying.map { ": \($0)" } ?? ""), context: context)
        }
        return CollectorError.retriable(.connection, reason(error), context: context)
    }
}

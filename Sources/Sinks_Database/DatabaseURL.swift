/// Where a store lives: `sqlite:///var/lib/collector/audit.db` or `postgresql://user@host:5432/db`.
///
/// Shared by the `database` sink and anything that reads the store later (the query API): parse the
/// URL once, then open it with `DatabaseStores.open`. A password never appears in the URL; it is
/// given separately, by reference.
public enum DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public struct PostgresLocation: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var user: String
        public var database: String
    }

    /// Parses a URL; the error says what is wrong (without repeating a password that was put in it).
    public static func parse(_ text: String) -> Result<DatabaseURL, ConversionError> {
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard path.hasPrefix("/"), path.count > 1, !path.hasSuffix("/") else {
                return .failure(ConversionError("expected sqlite:///absolute/path/to/file.db (three slashes), found \"\(text)\""))
            }
            return .success(.sqlite(path: path))
        }
        for scheme in ["postgresql://", "postgres://"] where text.hasPrefix(scheme) {
            var rest = Substring(text.dropFirst(scheme.count))
            if rest.contains("?") {
                return .failure(ConversionError("URL parameters are not read; use the keys password and tls"))
            }
            guard let at = rest.firstIndex(of: "@") else {
                return .failure(ConversionError("expected postgresql://user@host:port/database (the user is missing)"))
            }
            let user = rest[..<at]
            if user.contains(":") {
                return .failure(ConversionError("a password in the URL is refused; give it with the key password as \"${env:NAME}\" or \"${file:/path}\""))
            }
            rest = rest[rest.index(after: at)...]
            guard let slash = rest.firstIndex(of: "/") else {
                return .failure(ConversionError("expected postgresql://user@host:port/database (the database is missing)"))
            }
            let database = rest[rest.index(after: slash)...]
            var hostPort = rest[..<slash]
            var port = 5432
            if hostPort.hasPrefix("[") {
                guard let close = hostPort.firstIndex(of: "]") else { return .failure(ConversionError("unclosed [ in the host")) }
                let after = hostPort[hostPort.index(after: close)...]
                if after.hasPrefix(":") {
                    guard let number = Int(after.dropFirst()), (1...65535).contains(number) else {
                        return .failure(ConversionError("the port is not a number from 1 to 65535"))
                    }
                    port = number
                }
                hostPort = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            } else if let colon = hostPort.lastIndex(of: ":") {
                guard let number = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(number) else {
                    return .failure(ConversionError("the port is not a number from 1 to 65535"))
                }
                port = number
                hostPort = hostPort[..<colon]
            }
            guard !user.isEmpty, !hostPort.isEmpty, !database.isEmpty, !database.contains("/") else {
                return .failure(ConversionError("expected postgresql://user@host:port/database"))
            }
            return .success(.postgres(PostgresLocation(host: String(hostPort), port: port, user: String(user),
                                                       database: String(database))))
        }
        return .failure(ConversionError("expected sqlite:///path/to/file.db or postgresql://user@host:port/database, found \"\(text)\""))
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite://\(path)"
        case .postgres(let location): return "postgresql://\(location.user)@\(location.host):\(location.port)/\(location.database)"
        }
    }
}

import Collector
import Logging

/// Opens stores by URL: what the sink uses, and what a module that queries the store can reuse.
public enum DatabaseStores {
    /// The default SQLite file of a pipeline: `<data_dir>/audit.db`.
    public static func defaultURL(dataDirectory: String) -> DatabaseURL {
        .sqlite(path: (dataDirectory.hasSuffix("/") ? String(dataDirectory.dropLast()) : dataDirectory) + "/audit.db")
    }

    /// A store for `url` (no I/O until `open()`).
    public static func make(url: DatabaseURL, password: Secret? = nil, tls: PostgresTLS = PostgresTLS(), poolSize: Int = 2,
                            busyTimeoutMilliseconds: Int = 10_000, timeoutMilliseconds: Int = 10_000,
                            logger: Logger) -> any DatabaseStore {
        switch url {
        case .sqlite(let path):
            return SQLiteStore(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        case .postgres(let location):
            return PostgresStore(location: location, password: password?.value, tls: tls, poolSize: poolSize,
                                 timeoutMilliseconds: timeoutMilliseconds, logger: logger)
        }
    }

    static func make(_ configuration: DatabaseSinkConfiguration, dataDirectory: String, logger: Logger) -> any DatabaseStore {
        make(url: configuration.url ?? defaultURL(dataDirectory: dataDirectory), password: configuration.password,
             tls: configuration.tls, poolSize: configuration.poolSize,
             busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds,
             timeoutMilliseconds: configuration.timeoutMilliseconds, logger: logger)
    }
}

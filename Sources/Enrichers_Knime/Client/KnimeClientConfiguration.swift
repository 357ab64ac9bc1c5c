import Collector

/// How to reach a KNIME Server's REST API (the `server` section of `knime_job` / `knime_workflow`).
public struct KnimeClientConfiguration: Sendable, Hashable {
    /// e.g. `https://knime.example:8443/knime/rest/v4` (no trailing slash needed).
    public var baseURL: String
    public var username: String?
    /// Basic-auth password, by reference.
    public var password: Secret?
    /// Bearer token, by reference (instead of username/password).
    public var token: Secret?
    /// PEM file of the CA(s) to trust instead of the system store.
    public var caFile: String?
    /// TLS certificate verification. Turning it off is explicit and logged at start.
    public var verifyTLS: Bool
    public var connectTimeoutMilliseconds: Int
    public var readTimeoutMilliseconds: Int
    /// Attempts after the first, for connection errors, timeouts and 5xx answers.
    public var retries: Int
    public var backoffInitialMilliseconds: Int
    public var backoffMaxMilliseconds: Int
    /// Pooled connections per host.
    public var maxConnections: Int
    /// Requests in flight at once (across all jobs).
    public var concurrency: Int
    /// Longest time one job's lookups may take in all, retries included.
    public var jobDeadlineMilliseconds: Int
    /// Largest workflow archive downloaded.
    public var maxDownloadBytes: Int64

    public init(baseURL: String, username: String? = nil, password: Secret? = nil, token: Secret? = nil,
                caFile: String? = nil, verifyTLS: Bool = true, connectTimeoutMilliseconds: Int = 5_000,
                readTimeoutMilliseconds: Int = 30_000, retries: Int = 3, backoffInitialMilliseconds: Int = 200,
                backoffMaxMilliseconds: Int = 5_000, maxConnections: Int = 8, concurrency: Int = 8,
                jobDeadlineMilliseconds: Int = 120_000, maxDownloadBytes: Int64 = 2 << 30) {
        self.baseURL = baseURL
        self.username = username
        self.password = password
        self.token = token
        self.caFile = caFile
        self.verifyTLS = verifyTLS
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.readTimeoutMilliseconds = readTimeoutMilliseconds
        self.retries = retries
        self.backoffInitialMilliseconds = backoffInitialMilliseconds
        self.backoffMaxMilliseconds = backoffMaxMilliseconds
        self.maxConnections = maxConnections
        self.concurrency = concurrency
        self.jobDeadlineMilliseconds = jobDeadlineMilliseconds
        self.maxDownloadBytes = maxDownloadBytes
    }

    /// Reads the `server` section. Declares its keys; reports what is wrong with their place.
    public static func read(_ section: ConfigSection) -> KnimeClientConfiguration {
        let url = section.requiredString("url", doc: "REST API base, e.g. https://host:8443/knime/rest/v4")
        if !section.isDescribing, !url.isEmpty, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            section.report("url", "must start with https:// or http://")
        }
        var configuration = KnimeClientConfiguration(baseURL: url)
        configuration.username = section.string("username", doc: "basic-auth user (may be a ${env:…} reference)")
        configuration.password = section.secret("password", doc: "basic-auth password, by reference")
        configuration.token = section.secret("token", doc: "bearer token, by reference")
        if configuration.token != nil, configuration.username != nil {
            section.report("token", "give either token or username/password, not both")
        }
        if configuration.username != nil, configuration.password == nil {
            section.report("password", "username is set but password is missing")
        }
        configuration.caFile = section.string("ca_file", doc: "PEM CA file to trust")
        configuration.verifyTLS = section.bool("verify_tls", default: true, doc: "false turns TLS certificate verification off (logged)")
        configuration.connectTimeoutMilliseconds = section.int("connect_timeout_ms", default: 5_000, range: 1...600_000)
        configuration.readTimeoutMilliseconds = section.int("read_timeout_ms", default: 30_000, range: 1...3_600_000)
        configuration.retries = section.int("retries", default: 3, range: 0...100)
        configuration.backoffInitialMilliseconds = section.int("backoff_initial_ms", default: 200, range: 1...600_000)
        configuration.backoffMaxMilliseconds = section.int("backoff_max_ms", default: 5_000, range: 1...3_600_000)
        configuration.maxConnections = section.int("max_connections", default: 8, range: 1...1024)
        configuration.concurrency = section.int("concurrency", default: 8, range: 1...1024)
        configuration.jobDeadlineMilliseconds = section.int("job_deadline_ms", default: 120_000, range: 1...86_400_000)
        configuration.maxDownloadBytes = Int64(section.int("max_download_bytes", default: 2 << 30, range: 1...(1 << 40)))
        section.finish()
        return configuration
    }
}

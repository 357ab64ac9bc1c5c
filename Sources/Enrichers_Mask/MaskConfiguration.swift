/// The `mask` enricher's settings (see `MaskEnricherFactory` for the keys and defaults).
public struct MaskConfiguration: Sendable {
    /// Mask IP addresses: the client address and addresses inside any text.
    public var ip: Bool
    /// Mask user names: actor id, name and proxy user, user fields, users in URLs, principals.
    public var user: Bool
    /// Mask environment details: host names, server URIs and ports, in any field and inside text.
    public var environment: Bool
    /// The HMAC-SHA-256 key (masked values become `masked:` + 16 hex); nil: masked values become `****`.
    public var key: [UInt8]?
    /// Attributes holding user names, IP addresses, host names/ports, and secrets (always masked).
    public var userFields: Set<String>
    public var ipFields: Set<String>
    public var environmentFields: Set<String>
    public var secretFields: Set<String>

    public static let defaultUserFields = ["user", "owner", "UserName", "userName", "system_user_name", "proxy_user", "login"]
    public static let defaultIPFields = ["ClientIP", "clientIP", "client_ip", "ip", "remote_addr", "remoteAddress"]
    public static let defaultEnvironmentFields = ["host", "hostname", "executorHost", "server", "server_uri", "port", "url", "uri"]
    public static let defaultSecretFields = ["password", "passwd", "pwd", "keytab", "token", "secret", "credentials", "Authorization"]

    public init(ip: Bool = true, user: Bool = true, environment: Bool = true, key: [UInt8]? = nil,
                userFields: Set<String> = Set(defaultUserFields), ipFields: Set<String> = Set(defaultIPFields),
                environmentFields: Set<String> = Set(defaultEnvironmentFields), secretFields: Set<String> = Set(defaultSecretFields)) {
        self.ip = ip
        self.user = user
        self.environment = environment
        self.key = key
        self.userFields = userFields
        self.ipFields = ipFields
        self.environmentFields = environmentFields
        self.secretFields = secretFields
    }
}

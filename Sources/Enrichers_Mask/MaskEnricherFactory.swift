import Collector

/// Makes `mask` enrichers (see `MaskEnricher` for what each switch masks).
public struct MaskEnricherFactory: EnricherFactory {
    public init() {}
    public var type: String { "mask" }
    public var summary: String { "masks users, IP addresses and environment details (keyed hash tokens); passwords, keytabs and tokens always" }

    public func configuration(_ config: ConfigSection) -> MaskConfiguration {
        let all = config.choice("all", ["unset", "true", "false"], default: "unset",
                                doc: "true: every switch on, false: every switch off (secrets are still masked), unset: the switches decide")
        var ip = config.bool("ip", default: true, doc: "mask IP addresses (client address, addresses inside text)")
        var user = config.bool("user", default: true, doc: "mask user names (actor, user fields, principals, users in URLs)")
        var environment = config.bool("environment", default: true,
                                      doc: "mask environment details: host names, server URIs and ports, in any field and inside text")
        if all != "unset" {
            ip = all == "true"
            user = ip
            environment = ip
        }
        let key = config.secret("key", doc: "HMAC-SHA-256 key, ${env:NAME} or ${file:/path}: masked values become masked:<16 hex>, stable per key; without it ****")
        let userFields = config.strings("user_fields", default: MaskConfiguration.defaultUserFields, doc: "attributes holding user names")
        let ipFields = config.strings("ip_fields", default: MaskConfiguration.defaultIPFields, doc: "attributes holding IP addresses")
        let environmentFields = config.strings("environment_fields", default: MaskConfiguration.defaultEnvironmentFields,
                                               doc: "attributes holding host names, ports or server URIs")
        let secretFields = config.strings("secret_fields", default: MaskConfiguration.defaultSecretFields,
                                          doc: "attributes always replaced by **** (besides any whose name contains password, secret, token, keytab, credential)")
        return MaskConfiguration(ip: ip, user: user, environment: environment,
                                 key: key.flatMap { $0.value.isEmpty ? nil : Array($0.value.utf8) },
                                 userFields: Set(userFields), ipFields: Set(ipFields),
                                 environmentFields: Set(environmentFields), secretFields: Set(secretFields))
    }

    public func makeEnricher(_ configuration: MaskConfiguration, context: ComponentContext) throws -> any Enricher {
        MaskEnricher(configuration: configuration)
    }
}

import CProton

/// Sets up TLS on a transport: trusted CAs, peer-name verification (on by default) and an optional
/// client certificate.
enum ProtonTLS {
    /// Returns a description of what is wrong, or nil when TLS is set up.
    static func configure(transport: OpaquePointer, host: String, tls: ProtonSenderConfiguration.TLS) -> String? {
        guard let domain = pn_ssl_domain(PN_SSL_MODE_CLIENT) else { return "TLS is not available in this qpid-proton" }
        defer { pn_ssl_domain_free(domain) }
        let caFile = tls.caFile ?? systemTrustStore
        if pn_ssl_domain_set_trusted_ca_db(domain, caFile) != 0 {
            return "cannot use the CA file \(caFile) (missing, unreadable or not PEM)"
        }
        let mode = tls.verifyPeerName ? PN_SSL_VERIFY_PEER_NAME : PN_SSL_VERIFY_PEER
        if pn_ssl_domain_set_peer_authentication(domain, mode, caFile) != 0 {
            return "cannot set peer verification with the CA file \(caFile)"
        }
        if let certFile = tls.certFile {
            guard let keyFile = tls.keyFile else { return "tls.cert_file is set but tls.key_file is not" }
            if pn_ssl_domain_set_credentials(domain, certFile, keyFile, tls.keyPassword) != 0 {
                return "cannot use the client certificate \(certFile) with key \(keyFile) (missing, unreadable, or wrong key password)"
            }
        }
        guard let ssl = pn_ssl(transport) else { return "cannot enable TLS on the transport" }
        if pn_ssl_init(ssl, domain, nil) != 0 { return "cannot initialise TLS" }
        if pn_ssl_set_peer_hostname(ssl, host) != 0 { return "cannot set the TLS peer name \(host)" }
        return nil
    }

    /// Debian's bundle of the system's trusted CAs (used when no `ca_file` is given).
    static let systemTrustStore = "/etc/ssl/certs/ca-certificates.crt"
}

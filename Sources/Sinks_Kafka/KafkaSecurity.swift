import Collector

/// Reads the `tls` and `sasl` sections into librdkafka properties.
///
/// TLS verifies the broker's certificate and host name unless told otherwise. SASL sends a
/// password, so without TLS it is refused unless `sasl.allow_plaintext` is true. Passwords are
/// secrets: only `${env:…}`/`${file:…}` references are accepted.
enum KafkaSecurity {
    static func read(_ config: ConfigSection) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        let tls = config.section("tls", doc: "TLS to the brokers (on when any key is set or enabled is true)")
        let caFile = tls.string("ca_file", doc: "PEM file of the CA(s) to trust instead of the system store")
        let certFile = tls.string("cert_file", doc: "client certificate (PEM) for mutual TLS")
        let keyFile = tls.string("key_file", doc: "client private key (PEM)")
        let keyPassword = tls.secret("key_password", doc: "password of the client key (reference)")
        let verify = tls.bool("verify", default: true, doc: "verify the broker's certificate and host name")
        let tlsOn = tls.bool("enabled", default: caFile != nil || certFile != nil || keyFile != nil,
                             doc: "use TLS (default: true when ca_file, cert_file or key_file is set)")
        tls.finish()
        if (certFile == nil) != (keyFile == nil) {
            tls.report(certFile == nil ? "cert_file" : "key_file", "cert_file and key_file go together")
        }
        if tlsOn {
            if let caFile { out.append(("ssl.ca.location", caFile)) }
            if let certFile { out.append(("ssl.certificate.location", certFile)) }
            if let keyFile { out.append(("ssl.key.location", keyFile)) }
            if let keyPassword { out.append(("ssl.key.password", keyPassword.value)) }
            out.append(("enable.ssl.certificate.verification", verify ? "true" : "false"))
            out.append(("ssl.endpoint.identification.algorithm", verify ? "https" : "none"))
        }

        let sasl = config.section("sasl", doc: "SASL authentication")
        let mechanism = sasl.choice("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"], default: "PLAIN",
                                    doc: "SASL mechanism")
        let username = sasl.string("username", doc: "user name (a literal or a reference)")
        let password = sasl.secret("password", doc: "password (reference only)")
        let allowPlaintext = sasl.bool("allow_plaintext", default: false,
                                       doc: "allow SASL without TLS (sends the password unencrypted)")
        sasl.finish()
        let saslOn = username != nil || password != nil
        if saslOn {
            if username == nil { sasl.report("username", "missing: SASL needs a username and a password") }
            if password == nil { sasl.report("password", "missing: SASL needs a username and a password") }
            if !tlsOn && !allowPlaintext {
                sasl.report(nil, "SASL without TLS would send the password unencrypted; enable tls or set allow_plaintext")
            }
            out.append(("sasl.mechanisms", mechanism))
            if let username { out.append(("sasl.username", username)) }
            if let password { out.append(("sasl.password", password.value)) }
        }
        switch (tlsOn, saslOn) {
        case (true, true): out.append(("security.protocol", "sasl_ssl"))
        case (true, false): out.append(("security.protocol", "ssl"))
        case (false, true): out.append(("security.protocol", "sasl_plaintext"))
        case (false, false): break
        }
        return out
    }
}

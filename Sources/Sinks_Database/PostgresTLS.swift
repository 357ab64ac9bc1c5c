import NIOSSL
import PostgresNIO

/// TLS to PostgreSQL, named as libpq's `sslmode`: `verify-full` (the default: the server's
/// certificate chains to a trusted CA and names the host), `verify-ca` (chain only), `require`
/// (encrypted, no check at all: only against a passive eavesdropper), `disable` (plain text).
public struct PostgresTLS: Sendable, Hashable {
    public enum Mode: String, Sendable, CaseIterable {
        case disable, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var mode: Mode
    /// PEM file of the CA(s) to trust instead of the system's.
    public var caFile: String?

    public init(mode: Mode = .verifyFull, caFile: String? = nil) {
        self.mode = mode
        self.caFile = caFile
    }

    var clientTLS: PostgresClient.Configuration.TLS {
        guard mode != .disable else { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile { configuration.trustRoots = .file(caFile) }
        switch mode {
        case .verifyFull: configuration.certificateVerification = .fullVerification
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .require, .disable: configuration.certificateVerification = .none
        }
        return .require(configuration)
    }
}

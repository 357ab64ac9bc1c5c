import Crypto

/// What a masked value is replaced by: `masked:` + the first 16 hex digits of HMAC-SHA-256(key, value)
/// with a key, so equal values give equal tokens (an auditor can tell two events share a user without
/// learning who) and another key gives other tokens; without a key, `****`.
struct MaskToken: Sendable {
    static let hidden = "****"
    let key: SymmetricKey?

    init(key: [UInt8]?) {
        self.key = key.map { SymmetricKey(data: $0) }
    }

    func callAsFunction(_ value: String) -> String {
        guard let key else { return Self.hidden }
        if value.hasPrefix("masked:") || value == Self.hidden { return value }
        let code = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: key)
        let digits: [Character] = Array("0123456789abcdef")
        var out = "masked:"
        for byte in Array(code).prefix(8) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return out
    }
}

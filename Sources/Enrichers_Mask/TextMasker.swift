/// Finds and replaces sensitive parts inside free text (messages, URLs, data locations, arguments).
///
/// - Secrets (always): the value after `password`, `passwd`, `pwd`, `secret`, `token`, `keytab`,
///   `credential(s)`, `apikey`/`api_key` followed by `=` or `:` (also as JSON `"password": "…"`),
///   the password of `scheme://user:password@host`, and `*.keytab` paths, become `****`.
/// - Environment: the `host[:port]` of every `scheme://` URL and every `host.name:port` (a dotted
///   name with a letter, or an IPv4 address, followed by a port) become tokens.
/// - Users: the user of `scheme://user[:password]@host`.
/// - IP: IPv4 addresses, and IPv6 addresses (with `::` or eight groups).
struct TextMasker {
    let token: MaskToken
    let ip: Bool
    let user: Bool
    let environment: Bool

    static let secretWords: [[UInt8]] = ["password", "passwd", "pwd", "secret", "token", "keytab", "credential", "apikey", "api_key"]
        .map { Array($0.utf8) }

    func mask(_ text: String) -> String {
        var bytes = Array(text.utf8)
        let original = bytes
        bytes = secrets(bytes)
        bytes = urls(bytes)
        if environment { bytes = hostPorts(bytes) }
        if ip { bytes = addresses(bytes) }
        return bytes == original ? text : String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Secrets

    static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte }
    static func isWord(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D || byte == 0x2E
    }
    static let valueEnd: Set<UInt8> = Set(Array("&;, \t\r\n}])\"'|<>".utf8))

    func secrets(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard let word = Self.secretWords.first(where: { matchesWord($0, bytes, at: i) }) else {
                if let end = keytabPath(bytes, at: i) {
                    out += Array(MaskToken.hidden.utf8)
                    i = end
                    continue
                }
                out.append(bytes[i])
                i += 1
                continue
            }
            // The rest of the key (db_password_file…), a closing quote, spaces, then `=` or `:`.
            var j = i + word.count
            while j < bytes.count, Self.isWord(bytes[j]) { j += 1 }
            var k = j
            if k < bytes.count, bytes[k] == 0x22 || bytes[k] == 0x27 { k += 1 }
            while k < bytes.count, bytes[k] == 0x20 { k += 1 }
            guard k < bytes.count, bytes[k] == UInt8(ascii: "=") || bytes[k] == UInt8(ascii: ":") else {
                out += bytes[i..<j]
                i = j
                continue
            }
            k += 1
            while k < bytes.count, bytes[k] == 0x20 { k += 1 }
            out += bytes[i..<k]
            if k < bytes.count, bytes[k] == 0x22 || bytes[k] == 0x27 {
                let quote = bytes[k]
                var end = k + 1
                while end < bytes.count, bytes[end] != quote { end += bytes[end] == 0x5C ? 2 : 1 }
                end = min(end, bytes.count)
                out.append(quote)
                if end > k + 1 { out += Array(MaskToken.hidden.utf8) }
                i = end
            } else {
                var end = k
                while end < bytes.count, !Self.valueEnd.contains(bytes[end]) { end += 1 }
                if end > k { out += Array(MaskToken.hidden.utf8) }
                i = end
            }
        }
        return out
    }

    private func matchesWord(_ word: [UInt8], _ bytes: [UInt8], at i: Int) -> Bool {
        guard i + word.count <= bytes.count else { return false }
        for (offset, byte) in word.enumerated() where Self.lower(bytes[i + offset]) != byte { return false }
        return true
    }

    /// The end of a `…/name.keytab` path starting at `i` (a word start), or nil.
    private func keytabPath(_ bytes: [UInt8], at i: Int) -> Int? {
        guard i == 0 || !Self.isPathByte(bytes[i - 1]), Self.isPathByte(bytes[i]) else { return nil }
        var end = i
        while end < bytes.count, Self.isPathByte(bytes[end]) { end += 1 }
        let suffix = Array(".keytab".utf8)
        guard end - i > suffix.count, Array(bytes[(end - suffix.count)..<end]).map(Self.lower) == suffix else { return nil }
        return end
    }

    static func isPathByte(_ byte: UInt8) -> Bool { isWord(byte) || byte == 0x2F || byte == 0x5C }

    // MARK: URLs

    func urls(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard i + 3 <= bytes.count, bytes[i] == 0x3A, bytes[i + 1] == 0x2F, bytes[i + 2] == 0x2F, i > 0, Self.isWord(bytes[i - 1]) else {
                out.append(bytes[i])
                i += 1
                continue
            }
            out += [0x3A, 0x2F, 0x2F]
            let start = i + 3
            var end = start
            while end < bytes.count, !Self.authorityEnd.contains(bytes[end]) { end += 1 }
            var authority = Array(bytes[start..<end])
            var userinfo: [UInt8] = []
            if let at = authority.lastIndex(of: 0x40) {
                userinfo = Array(authority[..<at])
                authority = Array(authority[(at + 1)...])
            }
            if !userinfo.isEmpty {
                let colon = userinfo.firstIndex(of: 0x3A)
                let name = Array(userinfo[..<(colon ?? userinfo.count)])
                out += user && !name.isEmpty ? Array(token(String(decoding: name, as: UTF8.self)).utf8) : name
                if colon != nil { out += [0x3A] + Array(MaskToken.hidden.utf8) }
                out.append(0x40)
            }
            if environment && !authority.isEmpty {
                out += Array(token(String(decoding: authority, as: UTF8.self)).utf8)
            } else {
                out += authority
            }
            i = end
        }
        return out
    }

    static let authorityEnd: Set<UInt8> = Set(Array("/?#;, \t\r\n\"'<>|)]}".utf8))

    // MARK: host:port

    func hostPorts(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard i == 0 || !Self.isHostByte(bytes[i - 1]), Self.isHostByte(bytes[i]) else {
                out.append(bytes[i])
                i += 1
                continue
            }
            var end = i
            while end < bytes.count, Self.isHostByte(bytes[end]) { end += 1 }
            let host = bytes[i..<end]
            var port = end
            if port < bytes.count, bytes[port] == 0x3A {
                port += 1
                while port < bytes.count, bytes[port] >= 0x30, bytes[port] <= 0x39 { port += 1 }
            }
            let digits = port - end - 1
            if digits >= 1, digits <= 5, port == bytes.count || !Self.isWord(bytes[port]), Self.looksLikeHost(host) {
                out += Array(token(String(decoding: bytes[i..<port], as: UTF8.self)).utf8)
                i = port
            } else {
                out += host
                i = end
            }
        }
        return out
    }

    static func isHostByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x2E
    }

    /// A dotted name whose last label has a letter (`db.example.org`), `localhost`, or an IPv4 address.
    static func looksLikeHost(_ host: ArraySlice<UInt8>) -> Bool {
        if Array(host) == Array("localhost".utf8) { return true }
        let labels = host.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard labels.count >= 2, !labels.contains(where: \.isEmpty) else { return false }
        if labels.count == 4, labels.allSatisfy({ $0.count <= 3 && $0.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) { return true }
        return labels.last!.contains { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
    }

    // MARK: IP addresses

    func addresses(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if i == 0 || !Self.isAddressByte(bytes[i - 1]), Self.isAddressByte(bytes[i]) {
                var end = i
                while end < bytes.count, Self.isAddressByte(bytes[end]) { end += 1 }
                // A trailing dot or colon ends a sentence, not the address.
                while end > i, bytes[end - 1] == 0x2E || (bytes[end - 1] == 0x3A && !(end - 2 >= i && bytes[end - 2] == 0x3A)) { end -= 1 }
                let run = bytes[i..<end]
                if end > i, Self.isIPv4(run) || Self.isIPv6(run) {
                    out += Array(token(String(decoding: run, as: UTF8.self)).utf8)
                    i = end
                    continue
                }
                // An IPv4 address with a port: the address is masked, the port kept.
                if let colon = run.lastIndex(of: 0x3A), Self.isIPv4(run[..<colon]),
                   run[(colon + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    out += Array(token(String(decoding: run[..<colon], as: UTF8.self)).utf8)
                    i = colon
                    continue
                }
                let stop = max(end, i + 1)
                out += bytes[i..<stop]
                i = stop
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    static func isAddressByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66) || byte == 0x2E || byte == 0x3A
    }

    static func isIPv4(_ run: ArraySlice<UInt8>) -> Bool {
        let parts = run.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
            return Int(String(decoding: part, as: UTF8.self))! <= 255
        }
    }

    static func isIPv6(_ run: ArraySlice<UInt8>) -> Bool {
        guard run.count >= 3, !run.contains(0x2E) || run.contains(0x3A) else { return false }
        let colons = run.filter { $0 == 0x3A }.count
        let hasDouble = zip(run, run.dropFirst()).contains { $0 == 0x3A && $1 == 0x3A }
        guard hasDouble || colons == 7 else { return false }
        guard run.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        let groups = run.split(separator: 0x3A)
        return groups.allSatisfy { $0.count <= 4 && !$0.contains(0x2E) } && colons <= 7
    }
}

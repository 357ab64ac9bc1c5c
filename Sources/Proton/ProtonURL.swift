/// An `amqp://host[:port]` or `amqps://host[:port]` broker address (default ports 5672 and 5671).
public struct ProtonURL: Sendable, Hashable, CustomStringConvertible {
    public var tls: Bool
    public var host: String
    public var port: Int

    public init(tls: Bool, host: String, port: Int) {
        self.tls = tls
        self.host = host
        self.port = port
    }

    /// Parses a URL; returns nil with a reason in `error` when it is not one. User info is refused so
    /// that credentials never hide in a URL (they come from the username and password settings).
    public init?(_ text: String, error: inout String) {
        let scheme: Bool
        let rest: Substring
        if text.hasPrefix("amqps://") {
            scheme = true
            rest = text.dropFirst(8)
        } else if text.hasPrefix("amqp://") {
            scheme = false
            rest = text.dropFirst(7)
        } else {
            error = "\"\(text)\" is not an amqp:// or amqps:// URL"
            return nil
        }
        var authority = rest
        if let slash = authority.firstIndex(of: "/") {
            guard authority[slash...].allSatisfy({ $0 == "/" }) else {
                error = "\"\(text)\": put the queue or topic in \"address\", not in the URL"
                return nil
            }
            authority = authority[..<slash]
        }
        if let at = authority.lastIndex(of: "@") {
            // Never echo what may be a password.
            let redacted = (scheme ? "amqps://" : "amqp://") + "***@" + authority[authority.index(after: at)...]
            error = "\"\(redacted)\": credentials do not belong in the URL (use username and password)"
            return nil
        }
        var host = authority
        var port = scheme ? 5671 : 5672
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                error = "\"\(text)\": unclosed [ in the host"
                return nil
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else {
                    error = "\"\(text)\": bad port"
                    return nil
                }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                error = "\"\(text)\": bad port"
                return nil
            }
            port = number
        }
        guard !host.isEmpty else {
            error = "\"\(text)\": no host"
            return nil
        }
        self.init(tls: scheme, host: String(host), port: port)
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(tls ? "amqps" : "amqp")://\(shownHost):\(port)"
    }
}

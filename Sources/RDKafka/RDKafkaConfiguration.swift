import CRDKafka

/// librdkafka properties (`bootstrap.servers`, `acks`, …) in the order they are applied; a later
/// entry for the same name wins.
///
/// Values may hold secrets (`sasl.password`, `ssl.key.password`): they are handed to librdkafka and
/// never printed; errors name the property, not its value.
public struct RDKafkaConfiguration: Sendable {
    public var properties: [(name: String, value: String)]

    public init(_ properties: [(name: String, value: String)] = []) {
        self.properties = properties
    }

    public mutating func set(_ name: String, _ value: String) {
        properties.append((name, value))
    }

    /// Checks every property against librdkafka without creating a client (no I/O). Returns one
    /// problem per rejected property, as (property name, librdkafka's message).
    public func problems() -> [(name: String, message: String)] {
        guard let conf = rd_kafka_conf_new() else { return [("", "rd_kafka_conf_new failed")] }
        defer { rd_kafka_conf_destroy(conf) }
        var out: [(name: String, message: String)] = []
        for property in properties {
            if let message = Self.apply(property, to: conf) { out.append((property.name, message)) }
        }
        return out
    }

    /// A new `rd_kafka_conf_t` with every property set; the caller owns it.
    func makeConf() throws(RDKafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else { throw .configuration("rd_kafka_conf_new failed") }
        for property in properties {
            if let message = Self.apply(property, to: conf) {
                rd_kafka_conf_destroy(conf)
                throw .configuration("\(property.name): \(message)")
            }
        }
        return conf
    }

    private static func apply(_ property: (name: String, value: String), to conf: OpaquePointer) -> String? {
        var buffer = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, property.name, property.value, &buffer, buffer.count)
        guard result != RD_KAFKA_CONF_OK else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // librdkafka echoes the value in some messages; keep secrets out of them.
        return text.replacingAll(property.value, with: "…")
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}

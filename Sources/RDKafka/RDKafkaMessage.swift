/// One record to produce. The bytes are copied into librdkafka when produced.
public struct RDKafkaMessage: Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]
    /// Record headers, in order; names may repeat.
    public var headers: [(name: String, value: [UInt8])]

    public init(topic: String, key: [UInt8]? = nil, value: [UInt8], headers: [(name: String, value: [UInt8])] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// Where the broker stored a record, from its delivery report.
public struct RDKafkaDelivery: Sendable, Equatable {
    public var partition: Int32
    public var offset: Int64
}

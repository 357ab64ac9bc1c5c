import CRDKafka

/// Owns one `rd_kafka_t` and its main queue and destroys them in deinit, once nothing (no poll
/// thread, no producer) uses them any more.
///
/// librdkafka handles are thread-safe, so the pointers are shared freely while the handle lives.
final class RDKafkaClientHandle: @unchecked Sendable {
    let client: OpaquePointer
    let queue: OpaquePointer

    /// Makes a producer; takes ownership of `conf` whether or not it succeeds.
    init(producerConf conf: OpaquePointer) throws(RDKafkaError) {
        var buffer = [CChar](repeating: 0, count: 512)
        guard let client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &buffer, buffer.count) else {
            rd_kafka_conf_destroy(conf)
            throw .configuration(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        guard let queue = rd_kafka_queue_get_main(client) else {
            rd_kafka_destroy(client)
            throw .configuration("rd_kafka_queue_get_main returned no queue")
        }
        self.client = client
        self.queue = queue
    }

    /// The fatal error the client raised, if any (idempotent producers can raise one).
    func fatalError() -> RDKafkaError? {
        var buffer = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(client, &buffer, buffer.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return RDKafkaError(code: code.rawValue, message: text, isFatal: true)
    }

    deinit {
        rd_kafka_queue_destroy(queue)
        rd_kafka_destroy(client)
    }
}

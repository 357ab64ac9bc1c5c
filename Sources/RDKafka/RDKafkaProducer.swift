import CRDKafka
import Dispatch
import Synchronization

/// A librdkafka producer that reports every message's delivery.
///
/// Delivery reports are read from the client's event queue by a dedicated thread
/// (`rd_kafka_conf_set_events(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR)`) and matched to messages
/// by a sequence number passed as the message opaque; no C callback is registered. Blocking
/// librdkafka calls (`flush`) run on a dispatch queue, never on the cooperative pool.
///
/// Thread-safe. `close()` (or deinit) stops the poll thread and fails whatever still waits.
public final class RDKafkaProducer: Sendable {
    public typealias Results = [Result<RDKafkaDelivery, RDKafkaError>]

    private let handle: RDKafkaClientHandle
    private let tracker = RDKafkaDeliveryTracker()
    private let poller: RDKafkaPoller
    private let closed = Atomic<Bool>(false)
    private static let blocking = DispatchQueue(label: "collector.rdkafka.blocking", attributes: .concurrent)

    /// Makes the client (no network I/O yet: librdkafka connects in the background).
    ///
    /// - Parameter onError: called on the poll thread for client-level errors (all brokers down,
    ///   authentication failures, fatal errors); must not block.
    /// - Parameter onLog: called on the poll thread with librdkafka's log lines (syslog level,
    ///   facility, text), which otherwise go to stderr; must not block.
    public init(_ configuration: RDKafkaConfiguration, onError: (@Sendable (RDKafkaError) -> Void)? = nil,
                onLog: (@Sendable (_ level: Int, _ facility: String, _ message: String) -> Void)? = nil) throws(RDKafkaError) {
        var configuration = configuration
        configuration.set("log.queue", "true")
        let conf = try configuration.makeConf()
        rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_LOG))
        handle = try RDKafkaClientHandle(producerConf: conf)
        rd_kafka_set_log_queue(handle.client, handle.queue)
        poller = RDKafkaPoller(handle: handle, tracker: tracker, onError: onError, onLog: onLog)
        poller.start(name: "rdkafka-poll")
    }

    deinit {
        poller.stop()
        tracker.failAll(RDKafkaError(code: RD_KAFKA_RESP_ERR__DESTROY.rawValue))
    }

    /// The client's fatal error, if it raised one: the producer then fails every message and has
    /// to be replaced by a new one.
    public var fatalError: RDKafkaError? { handle.fatalError() }

    /// Produces the messages in order and returns once each has its delivery report (or failed
    /// before being queued), one result per message in the same order.
    ///
    /// A full local queue (`queue.buffering.max.messages`/`…kbytes`) is waited out: the call
    /// sleeps briefly and produces again while the poll thread drains reports. If the task is
    /// cancelled while waiting, the messages not yet queued fail with a retriable `_QUEUE_FULL`.
    /// How long a queued message may take is bounded by `message.timeout.ms`.
    public func send(_ messages: [RDKafkaMessage]) async -> Results {
        guard !messages.isEmpty else { return [] }
        let batch = tracker.open(count: messages.count)
        for (index, message) in messages.enumerated() {
            while true {
                let sequence = tracker.register(batch: batch, index: index)
                guard let error = produce(message, opaque: sequence) else { break }
                if error.isQueueFull, !Task.isCancelled {
                    tracker.unregister(sequence)
                    try? await Task.sleep(for: .milliseconds(2))
                    continue
                }
                tracker.deliver(sequence, .failure(error))
                break
            }
        }
        return await tracker.wait(batch: batch)
    }

    /// Waits (off the cooperative pool) until every queued message is delivered or failed, up to
    /// the timeout. Returns false on timeout.
    public func flush(timeoutMilliseconds: Int32) async -> Bool {
        let handle = self.handle
        return await withCheckedContinuation { continuation in
            Self.blocking.async {
                continuation.resume(returning: rd_kafka_flush(handle.client, timeoutMilliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR)
            }
        }
    }

    /// Flushes up to the timeout, then purges what is left, stops the poll thread and fails every
    /// message still waiting with `_DESTROY` (retriable). Idempotent.
    public func close(flushTimeoutMilliseconds: Int32 = 5000) async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = await flush(timeoutMilliseconds: flushTimeoutMilliseconds)
        let (handle, poller) = (self.handle, self.poller)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Self.blocking.async {
                rd_kafka_purge(handle.client, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
                poller.stop()
                continuation.resume()
            }
        }
        tracker.failAll(RDKafkaError(code: RD_KAFKA_RESP_ERR__DESTROY.rawValue))
    }

    /// One non-blocking `rd_kafka_produceva` call; nil when queued.
    private func produce(_ message: RDKafkaMessage, opaque: UInt) -> RDKafkaError? {
        if closed.load(ordering: .acquiring) { return RDKafkaError(code: RD_KAFKA_RESP_ERR__DESTROY.rawValue) }
        var headers: OpaquePointer?
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                header.value.withUnsafeBytes { bytes in
                    _ = rd_kafka_header_add(headers, header.name, -1, bytes.baseAddress, bytes.count)
                }
            }
        }
        var vus = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 6)
        let error: OpaquePointer? = message.topic.withCString { topic in
            message.value.withUnsafeBytes { value in
                withKeyBytes(message.key) { key in
                    var count = 0
                    collector_rdk_vu_topic(&vus[count], topic); count += 1
                    collector_rdk_vu_msgflags(&vus[count], collector_rdk_msg_f_copy()); count += 1
                    collector_rdk_vu_value(&vus[count], UnsafeMutableRawPointer(mutating: value.baseAddress), value.count); count += 1
                    if let key {
                        collector_rdk_vu_key(&vus[count], UnsafeMutableRawPointer(mutating: key.baseAddress), key.count); count += 1
                    }
                    collector_rdk_vu_opaque(&vus[count], UnsafeMutableRawPointer(bitPattern: opaque)); count += 1
                    if let headers { collector_rdk_vu_headers(&vus[count], headers); count += 1 }
                    return rd_kafka_produceva(handle.client, vus, count)
                }
            }
        }
        guard let error else { return nil }  // librdkafka owns the headers now
        defer { rd_kafka_error_destroy(error) }
        if let headers { rd_kafka_headers_destroy(headers) }
        let code = rd_kafka_error_code(error)
        if code == RD_KAFKA_RESP_ERR__FATAL, let fatal = handle.fatalError() { return fatal }
        return RDKafkaError(code: code.rawValue, message: rd_kafka_error_string(error).map { String(cString: $0) })
    }
}

private func withKeyBytes<T>(_ key: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> T) -> T {
    guard let key else { return body(nil) }
    return key.withUnsafeBytes { body($0) }
}

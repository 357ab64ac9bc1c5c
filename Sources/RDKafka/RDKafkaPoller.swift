import CRDKafka
import Foundation
import Synchronization

/// The dedicated thread that serves a client's main event queue: delivery reports go to the
/// tracker, client errors to `onError`. No C callbacks are registered; the thread polls
/// (`rd_kafka_queue_poll`) with a 10 ms timeout: librdkafka 2.0.2 was seen to leave delivery
/// reports waiting until the poll timed out (100 ms per batch with a 100 ms timeout, 20-40 ms with
/// 10 ms), and `stop()` takes effect quickly.
final class RDKafkaPoller: Sendable {
    private let handle: RDKafkaClientHandle
    private let tracker: RDKafkaDeliveryTracker
    private let onError: (@Sendable (RDKafkaError) -> Void)?
    private let onLog: (@Sendable (Int, String, String) -> Void)?
    private let stopping = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    init(handle: RDKafkaClientHandle, tracker: RDKafkaDeliveryTracker, onError: (@Sendable (RDKafkaError) -> Void)?,
         onLog: (@Sendable (Int, String, String) -> Void)?) {
        self.handle = handle
        self.tracker = tracker
        self.onError = onError
        self.onLog = onLog
    }

    func start(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Asks the thread to end and waits until it has (blocking, at most one poll timeout).
    /// Idempotent.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopped.wait()
    }

    private func run() {
        while !stopping.load(ordering: .acquiring) {
            serve(timeoutMilliseconds: 10)
        }
        stopped.signal()
    }

    /// Serves at most one event (all delivery reports it carries).
    func serve(timeoutMilliseconds: Int32) {
        guard let event = rd_kafka_queue_poll(handle.queue, timeoutMilliseconds) else { return }
        defer { rd_kafka_event_destroy(event) }
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_DR:
            while let message = rd_kafka_event_message_next(event) {
                let sequence = UInt(bitPattern: message.pointee._private)
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    tracker.deliver(sequence, .success(RDKafkaDelivery(partition: message.pointee.partition,
                                                                       offset: message.pointee.offset)))
                } else {
                    var error = RDKafkaError(message.pointee.err)
                    if error.code == RD_KAFKA_RESP_ERR__FATAL.rawValue, let fatal = handle.fatalError() { error = fatal }
                    tracker.deliver(sequence, .failure(error))
                }
            }
        case RD_KAFKA_EVENT_ERROR:
            let code = rd_kafka_event_error(event)
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) }
            var error = RDKafkaError(code: code.rawValue, message: text, isFatal: rd_kafka_event_error_is_fatal(event) != 0)
            if error.isFatal, let fatal = handle.fatalError() { error = fatal }
            onError?(error)
        case RD_KAFKA_EVENT_LOG:
            var facility: UnsafePointer<CChar>?
            var text: UnsafePointer<CChar>?
            var level: Int32 = 0
            if rd_kafka_event_log(event, &facility, &text, &level) == 0 {
                onLog?(Int(level), facility.map { String(cString: $0) } ?? "", text.map { String(cString: $0) } ?? "")
            }
        default:
            break
        }
    }
}

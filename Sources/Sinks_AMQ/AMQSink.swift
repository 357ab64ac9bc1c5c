import Collector
import EventXML
import Logging
import Proton

/// Delivers audit events as XML `auditEventList` messages over one long-lived AMQP 1.0 connection.
///
/// `write` returns once the broker has settled every message: accepted events are done; rejected
/// ones come back in `SinkResult.rejected` with the broker's condition (the engine dead-letters
/// them); released or modified messages are sent again. When the broker cannot be reached, refuses
/// the link, or does not settle in time, `write` throws a retriable error naming the cause and the
/// engine writes the batch again later: nothing is dropped, and a message sent twice carries the
/// same `message-id` (the event id).
public final class AMQSink: Sink {
    public static let contentType = "application/xml"

    let sender: ProtonSender
    let xml: AuditEventXML
    let eventsPerMessage: Int
    let componentContext: String
    let logger: Logger

    init(sender: ProtonSender, xml: AuditEventXML, eventsPerMessage: Int, context: ComponentContext) {
        self.sender = sender
        self.xml = xml
        self.eventsPerMessage = eventsPerMessage
        self.componentContext = "sinks.\(context.name)"
        self.logger = context.logger
    }

    /// Connects and attaches the link; throws a retriable error with the cause when that fails.
    public func start() async throws {
        do {
            try await sender.waitUntilReady()
        } catch let error as ProtonError {
            throw collectorError(error)
        }
    }

    public func write(_ events: [AuditEvent]) async throws -> SinkResult {
        var messages: [ProtonMessage] = []
        var ranges: [Range<Int>] = []
        var rejected: [SinkResult.Rejection] = []
        var start = 0
        while start < events.count {
            let range = start..<min(start + eventsPerMessage, events.count)
            start = range.upperBound
            do {
                let body = try xml.document(events[range])
                messages.append(ProtonMessage(id: Self.messageID(events[range]), body: body, contentType: Self.contentType))
                ranges.append(range)
            } catch {
                for index in range { rejected.append(.init(index: index, reason: "could not write the XML: \(error)")) }
            }
        }
        let outcomes: [ProtonOutcome]
        do {
            outcomes = try await sender.send(messages)
        } catch let error as ProtonError {
            throw collectorError(error)
        }
        for (number, (range, outcome)) in zip(ranges, outcomes).enumerated() {
            if case .rejected(let condition) = outcome {
                logger.warning("broker rejected a message", metadata: ["condition": "\(condition)", "message_id": "\(messages[number].id)"])
                for index in range { rejected.append(.init(index: index, reason: "rejected by the broker: \(condition)")) }
            }
        }
        return SinkResult(rejected: rejected.sorted { $0.index < $1.index })
    }

    public func shutdown() async {
        await sender.shutdown()
    }

    /// The event id for a single event; for several, a deterministic id of their ids (stable on resend).
    static func messageID(_ events: ArraySlice<AuditEvent>) -> String {
        if events.count == 1 { return events.first!.id }
        return AuditEvent.deterministicID(events.map(\.id))
    }

    private func collectorError(_ error: ProtonError) -> CollectorError {
        let code: CollectorError.Code
        switch error.kind {
        case .configuration: code = .configuration
        case .timeout: code = .timeout
        case .shutdown: code = .shutdown
        case .connection, .link: code = .connection
        }
        return CollectorError(code, error.message, isRetriable: error.isRetriable, context: componentContext)
    }
}

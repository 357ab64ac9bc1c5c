import CProton
import DequeModule
#if canImport(Glibc)
import Glibc
#endif

/// The proton thread: runs the proactor, owns the connection, session, link and deliveries.
///
/// Everything here runs on that one thread; other threads reach it only through `ProtonSender.submit`.
final class ProtonLoop: @unchecked Sendable {
    private enum Phase {
        /// Not connected and no attempt scheduled (only before the first attempt).
        case idle
        /// Connection under way; fails unless the link is attached by `deadline`.
        case connecting(deadline: Int64)
        case ready
        /// Waiting for PN_TRANSPORT_CLOSED.
        case closing
        /// Next attempt at `until`.
        case backoff(until: Int64)
    }

    private let sender: ProtonSender
    private let configuration: ProtonSenderConfiguration
    private let proactor: OpaquePointer
    private var phase = Phase.idle
    private var connection: OpaquePointer?
    private var link: OpaquePointer?
    /// The receiving link that checks the address exists (see `checkAddress`), and what is attached.
    private var probe: OpaquePointer?
    private var senderAttached = false
    /// Whether the current connection reached `ready` (a loss then re-sends instead of failing).
    private var connectionWasReady = false
    private var probeAttached = false
    private var urlIndex = 0
    private var failedRounds = 0
    private var attemptsInRound = 0
    /// The first error seen on the current connection (conditions arrive before TRANSPORT_CLOSED).
    private var connectionError: String?
    private var lastError: String?
    /// Why the last ready connection was lost (kept after reconnecting, for time-limit errors).
    private var lastLoss: String?
    private var pending = Deque<ProtonItem>()
    private var inFlight: [OpaquePointer: (item: ProtonItem, sentAt: Int64)] = [:]
    private var readyWaiters: [ProtonBatch] = []
    private var batches: [ProtonBatch] = []
    private var stopping = false
    private var stopDeadline: Int64 = .max
    private var nextTag: UInt64 = 1
    private let encoder = ProtonEncoder()
    private static let tick: pn_millis_t = 100

    init(sender: ProtonSender, proactor: ProtonPointer) {
        self.sender = sender
        self.configuration = sender.configuration
        self.proactor = proactor.pointer
    }

    func run() {
        pn_proactor_set_timeout(proactor, Self.tick)
        connect()
        var running = true
        while running {
            let events = pn_proactor_wait(proactor)!
            while let event = pn_event_batch_next(events) {
                if !handle(event) { running = false }
            }
            pn_proactor_done(proactor, events)
        }
        pn_proactor_free(proactor)
        let waiters = sender.shared.withLock { state in
            state.finished = true
            state.connection = nil
            defer { state.stopWaiters = [] }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: Events

    /// Returns false when the loop should end.
    private func handle(_ event: OpaquePointer) -> Bool {
        let now = ProtonThread.now()
        switch pn_event_type(event) {
        case PN_CONNECTION_WAKE:
            drainCommands(now)
            pump(now)
        case PN_PROACTOR_INTERRUPT:
            drainCommands(now)
            if connection == nil, stopping { return false }
            if case .idle = phase, !stopping { connect() }
        case PN_PROACTOR_TIMEOUT:
            pn_proactor_set_timeout(proactor, Self.tick)
            drainCommands(now)
            if connection == nil, stopping { return false }
            checkTimers(now)
        case PN_LINK_REMOTE_OPEN:
            guard let eventLink = pn_event_link(event) else { break }
            if eventLink == link, pn_terminus_get_address(pn_link_remote_target(eventLink)) != nil {
                senderAttached = true
            } else if eventLink == probe, pn_terminus_get_address(pn_link_remote_source(eventLink)) != nil {
                probeAttached = true
                pn_link_close(eventLink)
            }
            if case .connecting = phase, senderAttached, probeAttached || !configuration.checkAddress {
                becameReady()
                pump(now)
            }
        case PN_LINK_FLOW:
            pump(now)
        case PN_DELIVERY:
            if let delivery = pn_event_delivery(event) { settled(delivery) }
            pump(now)
        case PN_LINK_REMOTE_CLOSE, PN_LINK_REMOTE_DETACH:
            // The broker's answer to our closing the address check.
            if let eventLink = pn_event_link(event), eventLink == probe, probeAttached,
               !pn_condition_is_set(pn_link_remote_condition(eventLink)) { break }
            let condition = ProtonCondition.describe(pn_link_remote_condition(pn_event_link(event)))
            noteError("the broker refused or closed the link to \"\(configuration.address)\"" + (condition.map { ": \($0)" } ?? ""))
            closeConnection()
        case PN_SESSION_REMOTE_CLOSE:
            noteError("the broker closed the session of the link to \"\(configuration.address)\"" + (ProtonCondition.describe(pn_session_remote_condition(pn_event_session(event))).map { ": \($0)" } ?? ""))
            closeConnection()
        case PN_CONNECTION_REMOTE_CLOSE:
            noteError("the broker closed the connection" + (ProtonCondition.describe(pn_connection_remote_condition(pn_event_connection(event))).map { ": \($0)" } ?? ""))
            closeConnection()
        case PN_TRANSPORT_ERROR:
            if let text = ProtonCondition.describe(pn_transport_condition(pn_event_transport(event))) { noteError(text) }
        case PN_TRANSPORT_CLOSED:
            if let text = ProtonCondition.describe(pn_transport_condition(pn_event_transport(event))) { noteError(text) }
            transportClosed(now)
            if stopping { return false }
        case PN_PROACTOR_INACTIVE:
            if stopping { return false }
        default:
            break
        }
        return true
    }

    private func drainCommands(_ now: Int64) {
        let commands = sender.shared.withLock { state in
            defer { state.commands = [] }
            return state.commands
        }
        for command in commands {
            switch command {
            case .send(let batch):
                if case .backoff(let until) = phase {
                    batch.fail(ProtonError(.connection, "not connected: \(lastError ?? "no connection yet") (next attempt in \(max(0, until - now)) ms)"))
                    continue
                }
                batches.append(batch)
                for index in batch.messages.indices { pending.append(ProtonItem(batch: batch, index: index)) }
            case .ready(let batch):
                if case .ready = phase {
                    batch.finishEmpty()
                } else if case .backoff = phase, let lastError {
                    batch.fail(ProtonError(.connection, lastError))
                } else {
                    readyWaiters.append(batch)
                }
            case .stop:
                beginStop(now)
            }
        }
    }

    private func beginStop(_ now: Int64) {
        guard !stopping else { return }
        stopping = true
        stopDeadline = now + 2000
        let error = ProtonError(.shutdown, "the AMQP sender was shut down before the broker settled every message")
        failEverything(error)
        if let connection {
            closeConnection()
            // Possibly outside a connection's event batch: have proton process the close.
            pn_connection_wake(connection)
        }
    }

    // MARK: Connecting

    private func connect() {
        guard !stopping else { return }
        let url = configuration.urls[urlIndex % configuration.urls.count]
        connectionError = nil
        guard let connection = pn_connection(), let transport = pn_transport() else {
            fatalError("qpid-proton could not allocate a connection")
        }
        pn_connection_set_container(connection, configuration.containerID)
        pn_connection_set_hostname(connection, url.host)
        if let user = configuration.username { pn_connection_set_user(connection, user) }
        if let password = configuration.password { pn_connection_set_password(connection, password) }
        pn_transport_set_idle_timeout(transport, 60_000)
        let sasl = pn_sasl(transport)
        pn_sasl_set_allow_insecure_mechs(sasl, configuration.allowInsecureMechanisms)
        if !configuration.saslMechanisms.isEmpty {
            pn_sasl_allowed_mechs(sasl, configuration.saslMechanisms.joined(separator: " "))
        }
        if url.tls {
            if let problem = ProtonTLS.configure(transport: transport, host: url.host, tls: configuration.tls) {
                pn_transport_free(transport)
                pn_connection_free(connection)
                noteError(problem)
                // Bad TLS files do not get better by retrying soon; fail the round now.
                attemptFailed(ProtonThread.now(), message: "\(url): \(problem)", configurationProblem: true)
                return
            }
        }
        let session = pn_session(connection)
        let link = pn_sender(session, "collector-sender")
        pn_terminus_set_address(pn_link_target(link), configuration.address)
        pn_terminus_set_address(pn_link_source(link), "collector")
        pn_link_set_snd_settle_mode(link, pn_snd_settle_mode_t(PN_SND_UNSETTLED.rawValue))
        senderAttached = false
        probeAttached = false
        connectionWasReady = false
        probe = nil
        if configuration.checkAddress {
            let probe = pn_receiver(session, "collector-address-check")
            pn_terminus_set_address(pn_link_source(probe), configuration.address)
            pn_link_set_rcv_settle_mode(probe, PN_RCV_FIRST)
            self.probe = probe
        }
        pn_connection_open(connection)
        pn_session_open(session)
        pn_link_open(link)
        if let probe { pn_link_open(probe) }
        self.connection = connection
        self.link = link
        phase = .connecting(deadline: ProtonThread.now() + Int64(configuration.openTimeoutMilliseconds))
        sender.shared.withLock { $0.connection = ProtonPointer(connection) }
        let address = "\(url.host.contains(":") ? "[\(url.host)]" : url.host):\(url.port)"
        pn_proactor_connect2(proactor, connection, transport, address)
    }

    private func becameReady() {
        phase = .ready
        connectionWasReady = true
        failedRounds = 0
        attemptsInRound = 0
        lastError = nil
        for waiter in readyWaiters { waiter.finishEmpty() }
        readyWaiters = []
    }

    private func noteError(_ text: String) {
        if connectionError == nil { connectionError = text }
    }

    private func closeConnection() {
        guard let connection else { return }
        if case .closing = phase { return }
        phase = .closing
        pn_connection_close(connection)
    }

    private func transportClosed(_ now: Int64) {
        let url = configuration.urls[urlIndex % configuration.urls.count]
        let wasReady = connectionWasReady
        sender.shared.withLock { $0.connection = nil }
        connection = nil
        link = nil
        probe = nil
        // Unsettled messages go back to the front of the queue, in order, for the next connection.
        let unsettled = inFlight.values.sorted { ($0.sentAt, $0.item.index) < ($1.sentAt, $1.item.index) }
        inFlight = [:]
        for entry in unsettled.reversed() where !entry.item.batch.isFinished { pending.prepend(entry.item) }
        let text = "\(url): \(connectionError ?? "connection closed")"
        if stopping { return }
        if wasReady {
            lastError = text
            lastLoss = text
            urlIndex += 1
            attemptsInRound = 0
            scheduleAttempt(now, delay: configuration.urls.count > 1 ? 0 : configuration.reconnectDelay(0))
        } else {
            attemptFailed(now, message: text, configurationProblem: false)
        }
    }

    /// One attempt failed before the link was ready: try the next URL, or after a whole round fail
    /// what waits and back off.
    private func attemptFailed(_ now: Int64, message: String, configurationProblem: Bool) {
        lastError = message
        urlIndex += 1
        attemptsInRound += 1
        if attemptsInRound < configuration.urls.count && !configurationProblem {
            scheduleAttempt(now, delay: 0)
            return
        }
        attemptsInRound = 0
        failedRounds += 1
        failEverything(ProtonError(.connection, message))
        scheduleAttempt(now, delay: configuration.reconnectDelay(failedRounds - 1))
    }

    private func scheduleAttempt(_ now: Int64, delay: Int) {
        if delay <= 0 {
            connect()
        } else {
            phase = .backoff(until: now + Int64(delay))
        }
    }

    private func failEverything(_ error: ProtonError) {
        for batch in batches { batch.fail(error) }
        for waiter in readyWaiters { waiter.fail(error) }
        batches = []
        readyWaiters = []
        pending.removeAll()
    }

    private func checkTimers(_ now: Int64) {
        if stopping {
            if now > stopDeadline { pn_proactor_disconnect(proactor, nil) }
            return
        }
        switch phase {
        case .backoff(let until) where now >= until:
            connect()
        case .connecting(let deadline) where now >= deadline:
            let url = configuration.urls[urlIndex % configuration.urls.count]
            let opened = connection.map { pn_connection_state($0) & PN_REMOTE_ACTIVE != 0 } ?? false
            if opened && senderAttached && !probeAttached {
                noteError("the broker did not attach a receiving link to \"\(configuration.address)\" within \(configuration.openTimeoutMilliseconds) ms: the address does not exist or the user may not read it (check_address)")
            } else if opened {
                noteError("the broker did not attach a link to address \"\(configuration.address)\" within \(configuration.openTimeoutMilliseconds) ms (does the address exist?)")
            } else {
                noteError("no AMQP connection to \(url) within \(configuration.openTimeoutMilliseconds) ms")
            }
            phase = .closing
            pn_proactor_disconnect(proactor, nil)
        case .ready:
            // Batches past their deadline fail (their messages are skipped or their late settlements ignored).
            var expired = false
            for batch in batches where !batch.isFinished && now >= batch.deadline {
                batch.fail(ProtonError(.timeout, "\(batch.unsettledCount) of \(batch.messages.count) messages not settled by the broker within \(configuration.openTimeoutMilliseconds + configuration.settleTimeoutMilliseconds) ms" + (lastLoss.map { " (last connection loss: \($0))" } ?? "")))
                expired = true
            }
            if expired { compact() }
            let limit = Int64(configuration.settleTimeoutMilliseconds)
            if inFlight.values.contains(where: { now - $0.sentAt >= limit }) {
                noteError("the broker did not settle a message within \(limit) ms; reconnecting")
                phase = .closing
                pn_proactor_disconnect(proactor, nil)
            } else if !pending.isEmpty, let connection {
                pn_connection_wake(connection)
            }
        default:
            for batch in batches where !batch.isFinished && now >= batch.deadline {
                batch.fail(ProtonError(.timeout, "not connected within the time limit: \(lastError ?? connectionError ?? "connecting")"))
            }
            compact()
        }
    }

    private func compact() {
        batches.removeAll { $0.isFinished }
        pending.removeAll { $0.batch.isFinished }
    }

    // MARK: Sending

    private func pump(_ now: Int64) {
        guard case .ready = phase, let link else { return }
        while inFlight.count < configuration.window, pn_link_credit(link) > 0, let item = pending.popFirst() {
            if item.batch.isFinished { continue }
            let delivery = cproton_delivery(link, nextTag)!
            nextTag &+= 1
            if let problem = encoder.send(item.message, on: link) {
                // Cannot happen with valid strings; refuse the message rather than loop.
                pn_delivery_abort(delivery)
                item.batch.settle(item.index, .rejected("could not encode the message: \(problem)"))
                continue
            }
            inFlight[delivery] = (item, now)
        }
        if !batches.isEmpty, batches.count > 64 { batches.removeAll { $0.isFinished } }
    }

    private func settled(_ delivery: OpaquePointer) {
        guard pn_delivery_updated(delivery) else { return }
        let state = pn_delivery_remote_state(delivery)
        guard pn_delivery_settled(delivery) || state != 0 else { return }
        let entry = inFlight.removeValue(forKey: delivery)
        pn_delivery_settle(delivery)
        guard let entry, !entry.item.batch.isFinished else { return }
        switch state {
        case cproton_accepted():
            entry.item.batch.settle(entry.item.index, .accepted)
            if entry.item.batch.isFinished { batches.removeAll { $0 === entry.item.batch } }
        case cproton_rejected():
            let condition = ProtonCondition.describe(pn_disposition_condition(pn_delivery_remote(delivery))) ?? "no reason given"
            entry.item.batch.settle(entry.item.index, .rejected(condition))
            if entry.item.batch.isFinished { batches.removeAll { $0 === entry.item.batch } }
        default:
            // released, modified, or settled without an outcome: send it again.
            pending.prepend(entry.item)
        }
    }

}

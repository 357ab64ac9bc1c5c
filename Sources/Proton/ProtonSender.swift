import CProton
import Synchronization

/// A long-lived AMQP 1.0 sender: one connection, one session, one sending link to one address.
///
/// Threading: a dedicated OS thread runs `pn_proactor_wait` and alone touches proton objects. The
/// methods here are safe from any task: they put a command on a mutex-protected queue and wake that
/// thread (`pn_connection_wake`, or `pn_proactor_interrupt` while there is no connection).
///
/// Delivery: every message is durable and carries its `message-id`; at most `window` deliveries are
/// unsettled at once. `released`/`modified` messages are sent again; a lost connection re-sends the
/// unsettled ones on the next connection (same `message-id`, so a consumer can drop duplicates).
/// Connections are retried across `urls` with capped exponential backoff and jitter for as long as
/// the sender runs.
public final class ProtonSender: Sendable {
    let configuration: ProtonSenderConfiguration
    let shared: Mutex<ProtonShared>
    private let proactor: ProtonPointer

    /// Checks what can be checked without I/O (URLs, mechanisms). Starts nothing.
    public init(_ configuration: ProtonSenderConfiguration) throws {
        guard !configuration.urls.isEmpty else { throw ProtonError(.configuration, "no broker URL") }
        let known = ["ANONYMOUS", "PLAIN", "EXTERNAL"]
        for mechanism in configuration.saslMechanisms where !known.contains(mechanism) {
            throw ProtonError(.configuration, "SASL mechanism \(mechanism) is not available (this qpid-proton has \(known.joined(separator: ", ")))")
        }
        self.configuration = configuration
        self.shared = Mutex(ProtonShared())
        self.proactor = ProtonPointer(pn_proactor())
    }

    /// Starts the proton thread, which connects right away. Idempotent.
    public func start() {
        let first = shared.withLock { state -> Bool in
            guard !state.started else { return false }
            state.started = true
            return true
        }
        guard first else { return }
        let loop = ProtonLoop(sender: self, proactor: proactor)
        ProtonThread.detach { loop.run() }
    }

    /// Waits until the link is attached, or throws the reason the last round of connection attempts
    /// failed (authentication, TLS, refused link, time limit).
    public func waitUntilReady() async throws {
        start()
        let _: [ProtonOutcome] = try await withCheckedThrowingContinuation { continuation in
            let batch = ProtonBatch(messages: [], deadline: .max, continuation: continuation)
            submit(.ready(batch))
        }
    }

    /// Sends the messages and returns each one's final outcome, in order, once all are settled:
    /// `accepted` or `rejected` (with the broker's condition). Throws a retriable `ProtonError` when
    /// the broker cannot be reached or does not settle within the time limit; the caller sends the
    /// whole batch again later (messages already accepted then arrive twice, with the same id).
    public func send(_ messages: [ProtonMessage]) async throws -> [ProtonOutcome] {
        guard !messages.isEmpty else { return [] }
        start()
        let deadline = ProtonThread.now() + Int64(configuration.openTimeoutMilliseconds + configuration.settleTimeoutMilliseconds)
        return try await withCheckedThrowingContinuation { continuation in
            submit(.send(ProtonBatch(messages: messages, deadline: deadline, continuation: continuation)))
        }
    }

    /// Closes the connection and stops the thread; unsettled sends fail with a `shutdown` error.
    /// Idempotent; safe without `start()`.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let action = shared.withLock { state -> ShutdownAction in
                if state.finished { return .resume }
                state.stopWaiters.append(continuation)
                if !state.started {
                    state.started = true
                    state.finished = true
                    return .freeUnstarted
                }
                state.commands.append(.stop)
                state.stopping = true
                return .wake(state.connection)
            }
            switch action {
            case .resume:
                continuation.resume()
            case .freeUnstarted:
                pn_proactor_free(proactor.pointer)
                for waiter in shared.withLock({ state in defer { state.stopWaiters = [] }; return state.stopWaiters }) {
                    waiter.resume()
                }
            case .wake(let connection):
                if let connection { pn_connection_wake(connection.pointer) } else { pn_proactor_interrupt(proactor.pointer) }
            }
        }
    }

    private enum ShutdownAction {
        case resume, freeUnstarted, wake(ProtonPointer?)
    }

    /// Queues a command and wakes the proton thread. The wake happens under the lock because the
    /// thread clears `connection` under the same lock before proton frees it.
    func submit(_ command: ProtonCommand) {
        let rejected = shared.withLock { state -> Bool in
            guard !state.finished, !state.stopping else { return true }
            state.commands.append(command)
            if let connection = state.connection {
                pn_connection_wake(connection.pointer)
            } else {
                pn_proactor_interrupt(proactor.pointer)
            }
            return false
        }
        if rejected {
            switch command {
            case .send(let batch), .ready(let batch): batch.fail(ProtonError(.shutdown, "the AMQP sender is shut down"))
            case .stop: break
            }
        }
    }
}

/// A proton pointer passed between threads; only the proton thread dereferences it (wake and
/// interrupt are the thread-safe exceptions).
struct ProtonPointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

enum ProtonCommand: Sendable {
    case send(ProtonBatch)
    case ready(ProtonBatch)
    case stop
}

/// State shared between callers and the proton thread (inside `Mutex`).
struct ProtonShared {
    var commands: [ProtonCommand] = []
    /// The live connection, for `pn_connection_wake`; nil while there is none.
    var connection: ProtonPointer?
    var started = false
    var stopping = false
    var finished = false
    var stopWaiters: [CheckedContinuation<Void, Never>] = []
}

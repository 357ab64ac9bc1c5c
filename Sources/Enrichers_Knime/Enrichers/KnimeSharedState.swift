import Synchronization

/// What `knime_job` hands to `knime_workflow` in the same process: the REST client of a pipeline
/// (so `knime_workflow` needs no `server` section of its own) and the raw answers it fetched for a
/// job (so they are not fetched twice). Bounded; an entry is taken once.
public final class KnimeSharedState: Sendable {
    public static let shared = KnimeSharedState()

    public struct Answers: Sendable {
        public var job: [UInt8]?
        public var summary: [UInt8]?
    }

    private struct State {
        var clients: [String: KnimeRESTClient] = [:]
        var answers: [String: Answers] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())
    static let maxAnswers = 4096

    public func register(client: KnimeRESTClient, pipeline: String) {
        state.withLock { $0.clients[pipeline] = client }
    }

    public func unregister(pipeline: String, client: KnimeRESTClient) {
        state.withLock { if $0.clients[pipeline] === client { $0.clients[pipeline] = nil } }
    }

    public func client(pipeline: String) -> KnimeRESTClient? {
        state.withLock { $0.clients[pipeline] }
    }

    public func put(_ answers: Answers, pipeline: String, jobID: String) {
        let key = pipeline + "\u{0}" + jobID
        state.withLock { state in
            if state.answers.updateValue(answers, forKey: key) == nil { state.order.append(key) }
            while state.order.count > Self.maxAnswers {
                state.answers[state.order.removeFirst()] = nil
            }
        }
    }

    public func take(pipeline: String, jobID: String) -> Answers? {
        let key = pipeline + "\u{0}" + jobID
        return state.withLock { state in
            guard let answers = state.answers.removeValue(forKey: key) else { return nil }
            state.order.removeAll { $0 == key }
            return answers
        }
    }
}

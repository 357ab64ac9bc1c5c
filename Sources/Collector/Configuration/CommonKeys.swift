/// Keys every component of a kind has, read by the core before the factory reads its own.
struct CommonKeys: Sendable {
    var type: String
    var inputs: [String]
    /// Enrichers: how many events are enriched at once.
    var concurrency: Int
    /// Sinks: the most events handed to one `write`.
    var batchSize: Int
    /// Sinks: first and longest wait between attempts of a retriable failure.
    var retryInitialMilliseconds: Int
    var retryMaxMilliseconds: Int
    /// Sinks: where events wait for the sink (`buffer`).
    var buffer = SinkBufferSettings(kind: .memory)
    /// Sinks: batches written at once (`in_flight`); acknowledgement stays in order per source.
    var inFlight = 1

    @discardableResult
    static func read(_ section: ConfigSection, kind: ComponentKind) -> CommonKeys {
        let type = section.requiredString("type", doc: "the component type (see `collector components`)")
        var keys = CommonKeys(type: type, inputs: [], concurrency: 1, batchSize: 1, retryInitialMilliseconds: 100,
                              retryMaxMilliseconds: 30_000)
        guard kind != .source else { return keys }
        keys.inputs = section.strings("inputs", doc: "names of the sources or enrichers this component takes events from")
        switch kind {
        case .enricher:
            keys.concurrency = section.int("concurrency", default: 8, range: 1...1024, doc: "events enriched at once")
        case .sink:
            keys.batchSize = section.int("batch_size", default: 512, range: 1...100_000, doc: "most events per write")
            let retry = section.section("retry", doc: "backoff for retriable failures (capped exponential, with jitter)")
            keys.retryInitialMilliseconds = retry.int("initial_ms", default: 100, range: 1...3_600_000, doc: "first wait")
            keys.retryMaxMilliseconds = retry.int("max_ms", default: 30_000, range: 1...3_600_000, doc: "longest wait")
            retry.finish()
        case .source:
            break
        }
        return keys
    }

    /// The sink keys whose defaults depend on the sink type: `buffer` and `in_flight`.
    mutating func readSinkKeys(_ section: ConfigSection, defaults: SinkDefaults) {
        inFlight = section.int("in_flight", default: defaults.inFlight, range: 1...256,
                               doc: "batches written at once (acknowledgement stays in order per source)")
        buffer = SinkBufferSettings.read(section, default: defaults.buffer)
    }
}

import Collector

/// Makes `knime_jobs` sources: KNIME's job lists polled over REST (KNIME Server, Business Hub).
public struct KnimeJobsSourceFactory: SourceFactory {
    public init() {}
    public var type: String { "knime_jobs" }
    public var summary: String { "polls KNIME's job lists over REST (Server /jobs/, Business Hub deployments) and emits one event per job end" }

    public func configuration(_ config: ConfigSection) -> KnimeJobsSource.Configuration {
        let server = KnimeClientConfiguration.read(config.section("server", doc: "the KNIME Server / Business Hub REST API"))
        let endpoints = config.strings("endpoints", default: ["/jobs/"],
                                       doc: "job lists under the server url: /jobs/ (KNIME Server) or /deployments/<id>/jobs (Business Hub)")
        for (index, endpoint) in endpoints.enumerated() where !endpoint.hasPrefix("/") {
            config.report("endpoints", "item \(index) (\"\(endpoint)\") must be a path starting with /")
        }
        let interval = config.int("interval_ms", default: 30_000, range: 100...86_400_000,
                                  doc: "time between polls (one request per endpoint and page)")
        let skew = config.int("skew_ms", default: 300_000, range: 0...86_400_000,
                              doc: "job ends finished this long before the latest one seen are still looked for (clock skew, late listings)")
        let startFrom = config.choice("start_from", ["all", "now"], default: "all",
                                      doc: "with no checkpoint: every job end the server still lists, or only those from now on")
        let maxJobs = config.int("max_jobs", default: 100_000, range: 1...10_000_000,
                                 doc: "most jobs read per poll; the rest waits for the next poll")
        let states = config.strings("states", default: KnimeJobEnd.defaultStates, doc: "end states that produce an event")
        for state in states where !KnimeJobEnd.endStates.contains(state) {
            config.report("states", "\"\(state)\" is not an end state (known: \(KnimeJobEnd.defaultStates.joined(separator: ", ")))")
        }
        let host = config.string("host", doc: "server name put on events (default: the host of server.url)")
        return .init(server: server, endpoints: endpoints.isEmpty ? ["/jobs/"] : endpoints, intervalMilliseconds: interval,
                     skewMilliseconds: skew, startFromAll: startFrom == "all", maxJobs: maxJobs, states: Set(states), host: host)
    }

    public func makeSource(_ configuration: KnimeJobsSource.Configuration, context: ComponentContext) throws -> any Source {
        try KnimeJobsSource(configuration, context: context)
    }
}

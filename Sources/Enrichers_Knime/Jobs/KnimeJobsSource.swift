import Collector
import Logging
import NIOCore

/// `knime_jobs`: polls KNIME's job lists (`GET /jobs/`, Business Hub's `GET /deployments/{id}/jobs`)
/// and emits one event per job end, with the same id `knime_log` gives the same end.
///
/// Every `interval_ms` it reads each endpoint, following Mason `@controls.next` links on the
/// server's own origin, up to `max_jobs` jobs; reconciles the listing with its ledger
/// (`KnimeJobsLedger`: watermark − skew window + ids emitted inside it + jobs seen running) and emits
/// what ended since, oldest first, then `VANISHED` for jobs gone before they were seen ended. The
/// ledger is the checkpoint: a restart resumes from it, and jobs that ended while the collector was
/// down are emitted as long as the server still lists them. A listing that fails (5xx, timeout,
/// connection; after the client's own retries) is tried again after a backoff without touching the
/// checkpoint; a 401/403 stops the source with an error naming the endpoint.
public struct KnimeJobsSource: Source {
    public struct Configuration: Sendable {
        public var server: KnimeClientConfiguration
        /// Paths under the server URL, e.g. `/jobs/` or `/deployments/<id>/jobs`.
        public var endpoints: [String]
        public var intervalMilliseconds: Int
        public var skewMilliseconds: Int
        /// With no checkpoint: `true` emits every job end the server still lists; `false` only those
        /// that end from now on (minus the skew window).
        public var startFromAll: Bool
        public var maxJobs: Int
        public var states: Set<String>
        /// `application.host` of the events; nil: the server URL's host.
        public var host: String?

        public init(server: KnimeClientConfiguration, endpoints: [String] = ["/jobs/"], intervalMilliseconds: Int = 30_000,
                    skewMilliseconds: Int = 300_000, startFromAll: Bool = true, maxJobs: Int = 100_000,
                    states: Set<String> = Set(KnimeJobEnd.defaultStates), host: String? = nil) {
            self.server = server
            self.endpoints = endpoints
            self.intervalMilliseconds = intervalMilliseconds
            self.skewMilliseconds = skewMilliseconds
            self.startFromAll = startFromAll
            self.maxJobs = maxJobs
            self.states = states
            self.host = host
        }
    }

    let configuration: Configuration
    let lease: ResourceLease<KnimeRESTClient>
    let host: String
    /// Events per `emit` call (each call gets one checkpoint: a crash re-emits at most this many).
    static let chunk = 256

    public init(_ configuration: Configuration, context: ComponentContext) throws {
        self.configuration = configuration
        lease = try KnimeRESTClient.lease(configuration.server, context: context)
        host = configuration.host ?? KnimeJobsSource.hostName(of: configuration.server.baseURL)
    }

    public func run(_ context: SourceContext) async throws {
        do {
            try await poll(context)
        } catch {
            await lease.release()
            throw error
        }
        await lease.release()
    }

    func poll(_ context: SourceContext) async throws {
        var ledger = try context.checkpoint.map(KnimeJobsLedger.init(checkpoint:))
            ?? KnimeJobsLedger(watermark: configuration.startFromAll ? nil : KnimeJobsLedger.milliseconds(.now()))
        let retry = Backoff(initialMilliseconds: min(1_000, configuration.intervalMilliseconds),
                            maxMilliseconds: max(configuration.intervalMilliseconds, 1_000) * 4)
        var failures = 0
        while !Task.isCancelled {
            let listing: Listing
            do {
                listing = try await list(context.logger)
                failures = 0
            } catch let error as KnimeClientError where error.status == 401 || error.status == 403 {
                throw CollectorError(.configuration,
                                     "\(error.request) on \(host): HTTP \(error.status!) \(error.message): the server refused the collector's credentials (check the server section's username/password or token)",
                                     context: "knime_jobs \(context.name)")
            } catch is CancellationError {
                return
            } catch {
                context.logger.warning("job list failed; trying again later, the checkpoint does not move",
                                       metadata: ["error": "\(error)", "attempt": "\(failures + 1)"])
                guard await retry.sleep(attempt: failures) else { return }
                failures += 1
                continue
            }
            let before = ledger
            let outcome = ledger.reconcile(listing.jobs, complete: listing.complete,
                                           skewMilliseconds: Int64(configuration.skewMilliseconds), states: configuration.states)
            if outcome.undated > 0 {
                context.logger.warning("ended jobs without any date skipped", metadata: ["jobs": "\(outcome.undated)"])
            }
            let now = EventTime.now()
            let events = outcome.ends.map { KnimeJobEnd.event($0.job, state: $0.state, time: $0.time, host: host) }
                + outcome.vanished.map { KnimeJobEnd.vanished($0.job, id: $0.id, time: now, host: host) }
            context.logger.debug("polled", metadata: ["listed": "\(listing.jobs.count)", "requests": "\(listing.requests)",
                                                      "events": "\(events.count)", "complete": "\(listing.complete)"])
            try await emit(events, before: before, after: ledger, context)
            context.setIdle(true)
            guard (try? await Task.sleep(for: .milliseconds(configuration.intervalMilliseconds))) != nil else { return }
        }
    }

    /// Emits in chunks: every event of a chunk but the last carries the checkpoint before the chunk,
    /// the last one the checkpoint after it (the whole ledger once this poll's events are done).
    func emit(_ events: [AuditEvent], before: KnimeJobsLedger, after: KnimeJobsLedger, _ context: SourceContext) async throws {
        guard !events.isEmpty else {
            if after != before { context.advance(to: after.checkpoint) }
            return
        }
        var previous = before.checkpoint
        let final = after.checkpoint
        var start = 0
        while start < events.count {
            let end = min(start + Self.chunk, events.count)
            // Mid-poll chunks end on a ledger with this poll's earlier ends added and nothing else changed.
            let position: Checkpoint
            if end == events.count {
                position = final
            } else {
                var partial = before
                for event in events[..<end] where event.action.type != "VANISHED" {
                    partial.emitted[event.id] = KnimeJobsLedger.milliseconds(event.time)
                }
                position = partial.checkpoint
            }
            var emissions = events[start..<end].map { Emission($0, position: previous) }
            emissions[emissions.count - 1].position = position
            try await context.emit(emissions)
            previous = position
            start = end
        }
    }

    struct Listing {
        var jobs: [KnimeJob] = []
        var complete = true
        var requests = 0
    }

    /// Every endpoint, page after page, up to `max_jobs`.
    func list(_ logger: Logger) async throws -> Listing {
        let client = lease.resource
        var listing = Listing()
        for endpoint in configuration.endpoints {
            var next: String? = endpoint
            var visited = Set<String>()
            while let path = next, visited.insert(path).inserted {
                let bytes = try await client.get(path, accept: "application/vnd.mason+json, application/json", deadline: client.jobDeadline())
                listing.requests += 1
                let page: JSONValue
                do {
                    page = try JSONParser.parse(bytes)
                } catch {
                    throw KnimeClientError(message: "the job list is not JSON: \(error)", request: "GET \(path)", isRetriable: true)
                }
                guard let jobs = page["jobs"]?.arrayValue else {
                    throw KnimeClientError(message: "the answer has no \"jobs\" list", request: "GET \(path)", isRetriable: true)
                }
                for job in jobs {
                    guard listing.jobs.count < configuration.maxJobs else {
                        logger.warning("more jobs listed than max_jobs; the rest waits for the next poll",
                                       metadata: ["max_jobs": "\(configuration.maxJobs)"])
                        listing.complete = false
                        return listing
                    }
                    listing.jobs.append(KnimeJob(object: job, fallbackID: ""))
                }
                next = nil
                if let href = page["@controls"]?["next"]?["href"]?.stringValue {
                    guard let relative = relativePath(href) else {
                        logger.warning("a next link leaves the server; not followed", metadata: ["link": "\(href)"])
                        listing.complete = false
                        break
                    }
                    next = relative
                }
            }
        }
        return listing
    }

    /// A link on the server's own origin, as a path under its API base; nil for anywhere else (the
    /// credentials are never sent to another host).
    func relativePath(_ href: String) -> String? {
        let base = configuration.server.baseURL.hasSuffix("/") ? String(configuration.server.baseURL.dropLast()) : configuration.server.baseURL
        if href.hasPrefix(base + "/") || href.hasPrefix(base + "?") { return String(href.dropFirst(base.count)) }
        if href.hasPrefix("/"), let pathStart = Self.pathStart(of: base) {
            let apiPath = String(base[pathStart...])
            if href.hasPrefix(apiPath + "/") { return String(href.dropFirst(apiPath.count)) }
        }
        return nil
    }

    static func pathStart(of url: String) -> String.Index? {
        guard let scheme = url.range(of: "://") else { return nil }
        return url[scheme.upperBound...].firstIndex(of: "/")
    }

    /// The host of a URL, without credentials or port.
    static func hostName(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        var authority = url[scheme.upperBound...].prefix { $0 != "/" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") { return String(authority.prefix { $0 != "]" }.dropFirst()) }
        return String(authority.prefix { $0 != ":" })
    }
}

import Logging

/// Runs one sink: starts it, then writes the batches its feed gives, up to `in_flight` at once,
/// retrying retriable failures with backoff, dead-lettering rejected events, and acknowledging
/// each batch to the feed once done.
struct SinkRunner: Sendable {
    let definition: ComponentDefinition
    let sink: any Sink
    let feed: any SinkFeed
    let deadLetters: DeadLetterFile
    let logger: Logger
    /// Whether the pipeline is stopping (a graceful stop was asked for).
    let isStopping: @Sendable () -> Bool

    /// Stopping, and what the sink has not delivered is kept in its disk buffer for the next run.
    private var mayLeaveRest: Bool { feed.keepsRest && isStopping() }

    private var backoff: Backoff {
        Backoff(initialMilliseconds: definition.common.retryInitialMilliseconds,
                maxMilliseconds: definition.common.retryMaxMilliseconds)
    }

    /// Returns when the feed has ended, when the task is cancelled, or when the pipeline is stopping
    /// and the sink cannot deliver what its disk buffer keeps. Throws when the sink cannot start for good.
    func run() async throws {
        guard try await start() else { return }
        let inFlight = definition.common.inFlight
        let batchSize = definition.common.batchSize
        if inFlight == 1 {
            while let batch = await feed.next(max: batchSize) {
                guard await deliver(batch) else { return }
            }
            return
        }
        await withTaskGroup(of: Bool.self) { group in
            var running = 0
            while let batch = await feed.next(max: batchSize) {
                if running >= inFlight {
                    let delivered = await group.next() ?? true
                    running -= 1
                    if !delivered { break }
                }
                group.addTask { await self.deliver(batch) }
                running += 1
            }
            await group.waitForAll()
        }
    }

    private func start() async throws -> Bool {
        var attempt = 0
        while true {
            do {
                try await sink.start()
                return true
            } catch let error as CollectorError where !error.isRetriable {
                logger.error("sink cannot start: \(error)")
                throw error
            } catch {
                if Task.isCancelled { return false }
                if mayLeaveRest {
                    logger.warning("sink not ready while stopping; its buffered events wait for the next run: \(error)")
                    return false
                }
                logger.warning("sink not ready, retrying: \(error)", metadata: ["attempt": "\(attempt + 1)"])
                guard await backoff.sleep(attempt: attempt) else { return false }
                attempt += 1
            }
        }
    }

    /// Writes one batch until it is delivered or dead-lettered; false when it gave up (cancelled,
    /// or stopping with the batch kept in the disk buffer).
    private func deliver(_ batch: SinkBatch) async -> Bool {
        let events = batch.events
        var attempt = 0
        var rejected: [(event: AuditEvent, reason: String)] = []
        var rejectedIndexes = Set<Int>()
        delivery: while true {
            do {
                let result = try await sink.write(events)
                for rejection in result.rejected where events.indices.contains(rejection.index) {
                    if rejectedIndexes.insert(rejection.index).inserted {
                        rejected.append((events[rejection.index], rejection.reason))
                    }
                }
                break delivery
            } catch let error as CollectorError where !error.isRetriable {
                rejected = events.map { ($0, error.description) }
                break delivery
            } catch {
                if Task.isCancelled { return false }
                if mayLeaveRest {
                    logger.warning("write failed while stopping; the events stay in the disk buffer for the next run: \(error)")
                    return false
                }
                if attempt == 0 || attempt % 10 == 0 {
                    logger.warning("write failed, retrying (events stay pending): \(error)",
                                   metadata: ["attempt": "\(attempt + 1)", "events": "\(events.count)"])
                }
                guard await backoff.sleep(attempt: attempt) else { return false }
                attempt += 1
            }
        }
        if !rejected.isEmpty {
            logger.error("events rejected for good; written to the dead-letter file",
                         metadata: ["events": "\(rejected.count)", "file": "\(deadLetters.path)",
                                    "reason": "\(rejected[0].reason)"])
            attempt = 0
            while true {
                do {
                    try deadLetters.append(rejected, sink: definition.name)
                    break
                } catch {
                    if Task.isCancelled { return false }
                    logger.error("cannot write the dead-letter file, retrying: \(error)")
                    guard await backoff.sleep(attempt: attempt) else { return false }
                    attempt += 1
                }
            }
        }
        feed.acknowledge(batch)
        return true
    }
}

/// Moves a sink's events from its queue into its disk buffer and acknowledges them upstream once
/// they are fsync'd there.
struct DiskBufferWriter: Sendable {
    let definition: ComponentDefinition
    let queue: EventQueue
    let buffer: DiskBuffer
    let logger: Logger

    func run() async {
        defer { buffer.finishWriting() }
        let backoff = Backoff(initialMilliseconds: definition.common.retryInitialMilliseconds,
                              maxMilliseconds: definition.common.retryMaxMilliseconds)
        while let envelopes = await queue.receive(max: max(definition.common.batchSize, 512)) {
            let events = envelopes.map(\.event)
            var attempt = 0
            while true {
                do {
                    try await buffer.append(events)
                    break
                } catch is CancellationError {
                    return
                } catch {
                    if Task.isCancelled { return }
                    if attempt == 0 || attempt % 10 == 0 {
                        logger.error("cannot write the disk buffer, retrying (events stay pending): \(error)",
                                     metadata: ["attempt": "\(attempt + 1)", "folder": "\(buffer.directory)"])
                    }
                    guard await backoff.sleep(attempt: attempt) else { return }
                    attempt += 1
                }
            }
            for envelope in envelopes { envelope.token.release() }
        }
    }
}

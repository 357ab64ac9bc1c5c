import Logging
import ServiceLifecycle
import Synchronization

/// A running pipeline: sources → enrichers → sinks with bounded queues and end-to-end
/// acknowledgements. A `Service`: `run()` returns when the pipeline has stopped.
///
/// Stopping: a graceful shutdown (SIGTERM/SIGINT through the `ServiceGroup`, or `stop()`) stops the
/// sources, lets queued events drain through enrichers and sinks, and writes the checkpoints, within
/// `shutdown_grace_seconds`; after that, in-flight work is abandoned (it is re-read on restart, since
/// the checkpoint never passes an unacknowledged event). Cancelling `run()`'s task stops at once.
public final class Pipeline: Service, Sendable, CustomStringConvertible {
    public let definition: PipelineDefinition
    private let options: RunOptions
    private let logger: Logger
    private let control = Mutex(Control())
    private let trackers = Mutex<[String: AckTracker]>([:])
    private let generations = Mutex<[String: UInt64]>([:])

    private struct Control {
        var stopping = false
        var sourcesTask: Task<Void, Never>?
        var engineTask: Task<Void, Never>?
        var graceTask: Task<Void, Never>?
    }

    public init(definition: PipelineDefinition, options: RunOptions = RunOptions(), logger: Logger) {
        self.definition = definition
        self.options = options
        var logger = logger
        logger[metadataKey: "pipeline"] = "\(definition.name)"
        self.logger = logger
    }

    public var description: String { "pipeline \(definition.name)" }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await runPipeline()
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Asks the pipeline to stop gracefully. Idempotent; safe before or after `run()`.
    public func stop() {
        let (sources, engine, grace) = control.withLock { control -> (Task<Void, Never>?, Task<Void, Never>?, Double?) in
            guard !control.stopping else { return (nil, nil, nil) }
            control.stopping = true
            return (control.sourcesTask, control.engineTask, definition.shutdownGraceSeconds)
        }
        guard let grace else { return }
        logger.info("stopping: sources stop, queued events drain", metadata: ["grace_seconds": "\(grace)"])
        sources?.cancel()
        if let engine {
            let logger = self.logger
            let timer = Task {
                guard (try? await Task.sleep(for: .milliseconds(Int(grace * 1000)))) != nil else { return }
                logger.warning("grace period over: abandoning in-flight events (they are re-read on restart)")
                engine.cancel()
            }
            control.withLock { $0.graceTask = timer }
        }
    }

    /// Events acknowledged so far, per source (for tests and statistics).
    public func acknowledgedCount(source: String) -> UInt64 {
        trackers.withLock { $0[source]?.acknowledgedCount ?? 0 }
    }

    private func componentLogger(_ name: String) -> Logger {
        var componentLogger = logger
        componentLogger[metadataKey: "component"] = "\(name)"
        return componentLogger
    }

    // MARK: Building

    private struct Built {
        var sources: [(name: String, source: any Source, port: SourcePort, checkpoint: Checkpoint?)] = []
        var enrichers: [(definition: ComponentDefinition, enricher: any Enricher, input: EventQueue, outputs: [EventQueue])] = []
        var sinks: [(definition: ComponentDefinition, sink: any Sink, input: EventQueue, buffer: DiskBuffer?)] = []
        let resources = PipelineResources()
    }

    private func build(store: CheckpointStore) throws -> Built {
        var queues: [String: EventQueue] = [:]
        for component in definition.components where component.kind != .source {
            queues[component.name] = EventQueue(capacity: definition.queueCapacity, producers: component.inputs.count)
        }
        func outputs(of producer: String) -> [EventQueue] {
            definition.components.filter { $0.inputs.contains(producer) }.compactMap { queues[$0.name] }
        }
        var built = Built()
        for component in definition.components {
            let componentLogger = self.componentLogger(component.name)
            let context = ComponentContext(pipeline: definition.name, name: component.name,
                                           dataDirectory: definition.dataDirectory, logger: componentLogger,
                                           dryRun: options.dryRun, resources: built.resources)
            if component.kind == .sink, options.dryRun, let makeDryRunSink = options.dryRunSink {
                // Sinks that take the same inputs as an earlier one would print the same events again.
                let printed = built.sinks.contains { Set($0.definition.inputs) == Set(component.inputs) }
                built.sinks.append((component, printed ? DiscardingSink() : try makeDryRunSink(context), queues[component.name]!, nil))
                continue
            }
            switch try component.prepared.make(context) {
            case .source(let source):
                let loaded = try store.load(source: component.name)
                for damaged in loaded?.damaged ?? [] {
                    componentLogger.warning("checkpoint slot damaged; using the previous generation", metadata: ["file": "\(damaged)"])
                }
                let tracker = AckTracker(initial: loaded?.checkpoint)
                generations.withLock { $0[component.name] = loaded?.generation ?? 0 }
                trackers.withLock { $0[component.name] = tracker }
                built.sources.append((component.name, source, SourcePort(tracker: tracker, outputs: outputs(of: component.name)),
                                      loaded?.checkpoint))
            case .enricher(let enricher):
                built.enrichers.append((component, enricher, queues[component.name]!, outputs(of: component.name)))
            case .sink(let sink):
                var buffer: DiskBuffer?
                let settings = component.common.buffer
                if settings.kind == .disk, !options.dryRun {
                    buffer = try DiskBuffer(directory: settings.directory(dataDirectory: definition.dataDirectory, sink: component.name),
                                            maxBytes: settings.maxBytes, logger: componentLogger)
                }
                built.sinks.append((component, sink, queues[component.name]!, buffer))
            }
        }
        return built
    }

    // MARK: Running

    private func runPipeline() async throws {
        try FileIO.makeDirectories(definition.dataDirectory)
        let lock = options.dryRun ? nil : try DataDirectoryLock.acquire(dataDirectory: definition.dataDirectory)
        defer { lock?.release() }
        let store = CheckpointStore(dataDirectory: definition.dataDirectory)
        let built = try build(store: store)
        defer { for stage in built.sinks { stage.buffer?.closeFiles() } }
        let deadLetters = DeadLetterFile(dataDirectory: definition.dataDirectory)
        let failure = FirstError()

        var started: [any Enricher] = []
        do {
            for (_, enricher, _, _) in built.enrichers {
                try await enricher.start()
                started.append(enricher)
            }
        } catch {
            for enricher in started { await enricher.shutdown() }
            await built.resources.shutdownAll()
            throw error
        }
        logger.info("started", metadata: [
            "sources": "\(built.sources.count)", "enrichers": "\(built.enrichers.count)", "sinks": "\(built.sinks.count)",
            "dry_run": "\(options.dryRun)",
        ])

        let sourcesTask = Task {
            await withTaskGroup(of: Void.self) { group in
                for (name, source, port, checkpoint) in built.sources {
                    group.addTask {
                        let sourceLogger = self.componentLogger(name)
                        let context = SourceContext(name: name, logger: sourceLogger, checkpoint: checkpoint, port: port)
                        do {
                            try await source.run(context)
                        } catch is CancellationError {
                        } catch {
                            if !Task.isCancelled {
                                sourceLogger.error("source failed: \(error)")
                                failure.record(error)
                            }
                        }
                        port.finish()
                    }
                }
            }
        }
        let engineTask = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await sourcesTask.value }
                for stage in built.enrichers {
                    group.addTask { await self.runEnricher(stage.definition, stage.enricher, stage.input, stage.outputs) }
                }
                for stage in built.sinks {
                    let stageLogger = self.componentLogger(stage.definition.name)
                    let feed: any SinkFeed
                    if let buffer = stage.buffer {
                        let writer = DiskBufferWriter(definition: stage.definition, queue: stage.input, buffer: buffer, logger: stageLogger)
                        group.addTask { await writer.run() }
                        feed = DiskFeed(buffer: buffer)
                    } else {
                        feed = MemoryFeed(queue: stage.input)
                    }
                    let runner = SinkRunner(definition: stage.definition, sink: stage.sink, feed: feed,
                                            deadLetters: deadLetters, logger: stageLogger,
                                            isStopping: { self.control.withLock { $0.stopping } })
                    group.addTask {
                        do {
                            try await runner.run()
                        } catch {
                            failure.record(error)
                            self.stop()
                        }
                    }
                }
            }
        }
        let stopNow = control.withLock { control -> Bool in
            control.sourcesTask = sourcesTask
            control.engineTask = engineTask
            return control.stopping
        }
        if stopNow {
            control.withLock { $0.stopping = false }
            stop()
        }

        let background = Task {
            await withTaskGroup(of: Void.self) { group in
                if !options.dryRun {
                    group.addTask { await self.checkpointLoop(built, store) }
                }
                if options.exitWhenIdle {
                    group.addTask { await self.idleMonitor(built) }
                }
            }
        }
        await withTaskCancellationHandler {
            await engineTask.value
        } onCancel: {
            sourcesTask.cancel()
            engineTask.cancel()
        }
        background.cancel()
        await background.value
        control.withLock { $0.graceTask?.cancel() }
        if !options.dryRun { writeCheckpoints(built, store, lastWritten: nil) }
        for stage in built.sinks { await stage.sink.shutdown() }
        for (_, enricher, _, _) in built.enrichers { await enricher.shutdown() }
        await built.resources.shutdownAll()
        let acknowledged = built.sources.map { "\($0.name)=\($0.port.tracker.acknowledgedCount)" }.joined(separator: " ")
        logger.info("stopped", metadata: ["acknowledged": "\(acknowledged)"])
        if let error = failure.error { throw error }
    }

    private func runEnricher(_ definition: ComponentDefinition, _ enricher: any Enricher, _ input: EventQueue,
                             _ outputs: [EventQueue]) async {
        let stageLogger = componentLogger(definition.name)
        let concurrency = definition.common.concurrency
        defer { for output in outputs { output.finishProducer() } }
        @Sendable func process(_ envelope: Envelope) async -> Envelope? {
            var envelope = envelope
            do {
                guard let enriched = try await enricher.enrich(envelope.event) else {
                    envelope.token.release()
                    return nil
                }
                envelope.event = enriched
            } catch {
                stageLogger.warning("enrichment failed; the event goes on with enrichment_error",
                                    metadata: ["event": "\(envelope.event.id)", "error": "\(error)"])
                envelope.event.attributes.append("enrichment_error", "\(definition.name): \(error)")
            }
            return envelope
        }
        @Sendable func forward(_ envelopes: [Envelope]) async throws {
            guard !envelopes.isEmpty else { return }
            if outputs.isEmpty {
                for envelope in envelopes { envelope.token.release() }
                return
            }
            if outputs.count > 1 { for envelope in envelopes { envelope.token.retain(outputs.count - 1) } }
            for output in outputs { try await output.send(envelopes) }
        }
        do {
            if concurrency == 1 {
                while let batch = await input.receive(max: 256) {
                    var results: [Envelope] = []
                    for envelope in batch { if let result = await process(envelope) { results.append(result) } }
                    try await forward(results)
                }
                return
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                var running = 0
                while let batch = await input.receive(max: concurrency) {
                    for envelope in batch {
                        if running >= concurrency {
                            try await group.next()
                            running -= 1
                        }
                        group.addTask {
                            if let result = await process(envelope) { try await forward([result]) }
                        }
                        running += 1
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            // Cancelled while forwarding: what was not forwarded stays unacknowledged.
        }
    }

    private func checkpointLoop(_ built: Built, _ store: CheckpointStore) async {
        var lastWritten: [String: UInt64] = [:]
        while !Task.isCancelled {
            guard (try? await Task.sleep(for: .milliseconds(definition.checkpointIntervalMilliseconds))) != nil else { return }
            lastWritten = writeCheckpoints(built, store, lastWritten: lastWritten)
        }
    }

    @discardableResult
    private func writeCheckpoints(_ built: Built, _ store: CheckpointStore, lastWritten: [String: UInt64]?) -> [String: UInt64] {
        var written = lastWritten ?? [:]
        for (name, _, port, _) in built.sources {
            let (position, version) = port.tracker.committed
            guard let position, version > 0, written[name] != version else { continue }
            do {
                let generation = generations.withLock { ($0[name] ?? 0) + 1 }
                try store.save(source: name, checkpoint: position, generation: generation)
                generations.withLock { $0[name] = generation }
                written[name] = version
            } catch {
                logger.error("cannot write checkpoint (will retry): \(error)", metadata: ["component": "\(name)"])
            }
        }
        return written
    }

    private func idleMonitor(_ built: Built) async {
        while !Task.isCancelled {
            guard (try? await Task.sleep(for: .milliseconds(20))) != nil else { return }
            let idle = built.sources.allSatisfy { $0.port.isIdle && $0.port.tracker.inFlight == 0 }
                && built.sinks.allSatisfy { $0.buffer?.isEmpty ?? true }
            if idle {
                logger.info("every source is idle, every event acknowledged and every disk buffer delivered: exiting")
                stop()
                return
            }
        }
    }
}

/// The first error that stopped a part of the pipeline, rethrown when it has stopped.
final class FirstError: Sendable {
    private let stored = Mutex<(any Error)?>(nil)

    func record(_ error: any Error) {
        stored.withLock { $0 = $0 ?? error }
    }

    var error: (any Error)? { stored.withLock { $0 } }
}

/// Stands in, during a dry run, for a sink whose events another sink already prints.
struct DiscardingSink: Sink {
    func write(_ events: [AuditEvent]) async throws -> SinkResult { .accepted }
}

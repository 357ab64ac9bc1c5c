// KNIME enrichment benchmarks against the in-process KNIME stand-in (release build: scripts/bench-knime).
//   collector-bench-knime jobs <count> <folder>      jobs/s through knime_job + knime_workflow (8 at once),
//                                                    the three real archives, audit folders written
//   collector-bench-knime memory <megabytes> <folder> peak RSS above idle while knime_workflow downloads,
//                                                    filters and archives an executed workflow of that size
import Collector
import Enrichers_Knime
import Foundation
import KnimeStandIn
import Logging

let arguments = CommandLine.arguments
guard arguments.count == 4, ["jobs", "memory"].contains(arguments[1]), let number = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: collector-bench-knime <jobs|memory> <count|megabytes> <folder>\n".utf8))
    exit(64)
}
let folder = arguments[3]
try? FileManager.default.removeItem(atPath: folder)
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

func status(_ field: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
    return 0
}

func resetPeak() {
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

let logger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    return logger
}()
let server = KnimeStandInServer()
let pipeline = "bench"

func makeEnrichers(_ url: String) throws -> (KnimeJobEnricher, KnimeWorkflowEnricher) {
    let context = ComponentContext(pipeline: pipeline, name: "bench", dataDirectory: folder, logger: logger)
    let server = KnimeClientConfiguration(baseURL: url, retries: 0)
    let jobs = try KnimeJobEnricher(.init(server: server, maxPaths: 1000, summary: true), context: context)
    let workflows = try KnimeWorkflowEnricher(.init(auditDirectory: folder + "/audit", server: nil, maxPaths: 1000,
                                                    limits: KnwfLimits()), context: context)
    return (jobs, workflows)
}

func event(_ job: StandInJob) -> AuditEvent {
    AuditEvent(id: job.id, time: EventTime(millisecondsSinceEpoch: job.finishedAt),
               actor: Actor(id: job.owner, name: job.owner), action: Action(type: job.state, outcome: .unknown),
               resource: Resource(type: "workflow", name: job.workflow), attributes: ["jobId": job.id])
}

switch arguments[1] {
case "jobs":
    let scenario = try StandInScenario.day(count: number, dayStartMilliseconds: 1_714_003_200_000, faults: false)
    scenario.install(on: server)
    try await server.start()
    let (jobs, workflows) = try makeEnrichers(server.baseURL)
    try await workflows.start()
    let clock = ContinuousClock()
    let start = clock.now
    var failures = 0
    try await withThrowingTaskGroup(of: Bool.self) { group in
        var next = 0
        func add() {
            let job = scenario.jobs[next]
            next += 1
            group.addTask {
                let enriched = try await jobs.enrich(event(job))!
                let done = try await workflows.enrich(enriched)!
                return done.attributes["enrichment_error"] == nil && done.attributes["audit_path"] != nil
            }
        }
        for _ in 0..<min(8, scenario.jobs.count) { add() }
        while let ok = try await group.next() {
            if !ok { failures += 1 }
            if next < scenario.jobs.count { add() }
        }
    }
    let seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
    print(String(format: "jobs: %d in %.2f s = %.1f jobs/s (8 at once; job + summary + archive download, filter, audit folder); failures: %d; peak RSS %d MiB",
                 number, seconds, Double(number) / seconds, failures, status("VmHWM") / 1024))
    await jobs.shutdown()
    await workflows.shutdown()
case "memory":
    let archive = folder + "/big.knwf"
    try StandInArchives.writeLargeExecuted(to: archive, megabytes: number)
    let size = (try FileManager.default.attributesOfItem(atPath: archive)[.size] as! NSNumber).intValue
    server.add(StandInWorkflow(path: "/Big/workflow", body: .archive(archive)))
    let job = StandInJob(id: "0b5e7c1e-0000-4000-8000-000000000001", name: "big", owner: "bench", state: "EXECUTION_FINISHED",
                         workflow: "/Big/workflow", createdAt: 1_714_003_200_000, startedAt: 1_714_003_201_000,
                         finishedAt: 1_714_003_260_000)
    server.add(job)
    try await server.start()
    let (jobs, workflows) = try makeEnrichers(server.baseURL)
    try await workflows.start()
    // Warm up (connections, thread pools) on a small real workflow first.
    let warm = StandInJob(id: "0b5e7c1e-0000-4000-8000-000000000002", name: "warm", owner: "bench", state: "EXECUTION_FINISHED",
                          workflow: "/Warm", createdAt: 1_714_003_200_000, startedAt: 1_714_003_201_000, finishedAt: 1_714_003_261_000)
    server.add(StandInWorkflow(path: "/Warm", body: .archive(StandInArchives.real("spatial-weights.knwf"))))
    server.add(warm)
    _ = try await workflows.enrich(try await jobs.enrich(event(warm))!)
    try await Task.sleep(for: .milliseconds(200))
    let idle = status("VmRSS")
    resetPeak()
    let clock = ContinuousClock()
    let start = clock.now
    let done = try await workflows.enrich(try await jobs.enrich(event(job))!)!
    let elapsed = clock.now - start
    let peak = status("VmHWM")
    let auditPath = done.attributes["audit_path"] ?? "-"
    let kept = (try? FileManager.default.attributesOfItem(atPath: auditPath + "/\(job.id).knwf")[.size] as? NSNumber)?.intValue ?? -1
    print("memory: archive \(size / 1_048_576) MiB (\(size) bytes) downloaded, filtered and archived in \(elapsed); "
          + "idle RSS \(idle / 1024) MiB, peak RSS \(peak / 1024) MiB, peak above idle \((peak - idle) / 1024) MiB; "
          + "downloaded \(done.attributes["workflowArchiveBytes"] ?? "?") bytes; filtered archive \(kept) bytes; paths \(done.attributes.values("paths")); error: \(done.attributes["enrichment_error"] ?? "none")")
    await jobs.shutdown()
    await workflows.shutdown()
default:
    break
}
await server.stop()

// Throughput of the database sink: the test kit's replay source → `database` (default table), in-process.
//   collector-bench-database <url> <events> <data folder>   (PostgreSQL password from COLLECTOR_BENCH_PG_PASSWORD)
// Prints events/s, wall and CPU seconds and peak RSS. Build with -c release (scripts/bench-database).
import Collector
import CollectorTestKit
import Foundation
import Logging
import Sinks_Database

let arguments = CommandLine.arguments
guard arguments.count == 5, let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: collector-bench-database <url> <events> <data folder> <table>\n".utf8))
    exit(64)
}
let url = arguments[1]
let folder = arguments[3]
let table = arguments[4]
try? FileManager.default.removeItem(atPath: folder)

var registry = ComponentRegistry()
registry.register(ReplaySourceFactory())
registry.register(DatabaseSinkFactory())
let password = ProcessInfo.processInfo.environment["COLLECTOR_BENCH_PG_PASSWORD"] ?? ""
let harness = PipelineHarness(registry: registry, environment: ["PGPASS": password], logLevel: .error)
let postgres = url.hasPrefix("postgres")
let extra = postgres ? #", "password": "${env:PGPASS}", "tls": {"mode": "disable"}"# : ""
let text = """
{ "name": "bench", "data_dir": "\(folder)/data",
  "sources": { "replay": { "type": "replay", "count": \(count), "batch_size": 512 } },
  "sinks": { "db": { "type": "database", "inputs": ["replay"], "url": "\(url)", "table": "\(table)",
                     "batch_size": 4096 \(extra) } } }
"""

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let clock = ContinuousClock()
let start = clock.now
let cpuStart = cpuSeconds()
let pipeline = try await harness.runUntilIdle(text, timeout: .seconds(3600))
let wall = start.duration(to: clock.now)
let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let acknowledged = pipeline.acknowledgedCount(source: "replay")
print(String(format: "collector → %@: %d events acknowledged, %.0f events/s, wall %.2f s, cpu %.2f s, peak RSS %.1f MiB",
             postgres ? "postgresql" : "sqlite", Int(acknowledged), Double(acknowledged) / seconds, seconds,
             cpuSeconds() - cpuStart, Double(usage.ru_maxrss) / 1024))
if acknowledged != UInt64(count) { exit(1) }

// Throughput of the engine: the test kit's replay source → the `file` sink, in-process.
//   collector-bench-core <json|knox> <events> <output folder> [memory|disk]   (the file sink's buffer)
// Prints events/s, wall and CPU seconds and peak RSS. Build with -c release (scripts/bench-core).
import Collector
import CollectorTestKit
import Foundation
import Logging
import Sinks_File

let arguments = CommandLine.arguments
guard [4, 5].contains(arguments.count), ["json", "knox"].contains(arguments[1]), let count = Int(arguments[2]),
      arguments.count == 4 || ["memory", "disk"].contains(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: collector-bench-core <json|knox> <events> <output folder> [memory|disk]\n".utf8))
    exit(64)
}
let format = arguments[1]
let folder = arguments[3]
let buffer = arguments.count == 5 ? arguments[4] : "memory"
try? FileManager.default.removeItem(atPath: folder)

var registry = ComponentRegistry()
registry.register(ReplaySourceFactory())
registry.register(FileSinkFactory())
let harness = PipelineHarness(registry: registry, logLevel: .error)
let text = """
{ "name": "bench", "data_dir": "\(folder)/data",
  "sources": { "replay": { "type": "replay", "count": \(count), "batch_size": 512 } },
  "sinks": { "file": { "type": "file", "inputs": ["replay"], "path": "\(folder)/audit.log", "format": "\(format)",
                       "timezone": "UTC", "batch_size": 4096, "buffer": { "type": "\(buffer)" } } } }
"""

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let clock = ContinuousClock()
let start = clock.now
let cpuStart = cpuSeconds()
let pipeline = try await harness.runUntilIdle(text, timeout: .seconds(600))
let wall = start.duration(to: clock.now)
let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let acknowledged = pipeline.acknowledgedCount(source: "replay")
let size = (try? FileManager.default.attributesOfItem(atPath: folder + "/audit.log")[.size] as? Int) ?? 0
print(String(format: "%@ (%@ buffer): %d events acknowledged, %.0f events/s, wall %.2f s, cpu %.2f s, peak RSS %.1f MiB, file %.1f MB",
             format, buffer, Int(acknowledged), Double(acknowledged) / seconds, seconds, cpuSeconds() - cpuStart,
             Double(usage.ru_maxrss) / 1024, Double(size) / 1e6))
if acknowledged != UInt64(count) { exit(1) }

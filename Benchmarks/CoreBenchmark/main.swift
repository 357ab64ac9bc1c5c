// Throughput of the engine: the test kit's replay source → the `file` sink, in-process.
//   collector-bench-core <json|knox> <events> <output folder> [sealed] [memory|disk]
// `sealed`: the sink has a `seal` (hash chain + signed digests; a key is made in the folder).
// `memory|disk`: the file sink's buffer (default memory).
// Prints events/s, wall and CPU seconds and peak RSS. Build with -c release (scripts/bench-core).
import Collector
import CollectorTestKit
import Foundation
import Logging
import Seal
import Sinks_File

let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "verify" {
    // collector-bench-core verify <folder written with `sealed`>: the verifier's speed.
    let folder = arguments[2]
    let key = try SealPrivateKey(text: String(contentsOfFile: folder + "/seal.key", encoding: .utf8))
    let clock = ContinuousClock()
    let start = clock.now
    let report = SealVerifier(publicKey: key.publicKey).verify([folder])
    let wall = start.duration(to: clock.now)
    let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    print(String(format: "verify: %d files, %d records, %.1f MB in %.2f s: %.0f MB/s; %@", report.files, report.records,
                 Double(report.bytes) / 1e6, seconds, Double(report.bytes) / 1e6 / seconds, report.isClean() ? "clean" : "NOT CLEAN"))
    exit(report.isClean() ? 0 : 1)
}
let options = Set(arguments.dropFirst(4))
guard arguments.count >= 4, options.isSubset(of: ["sealed", "memory", "disk"]), !options.isSuperset(of: ["memory", "disk"]),
      ["json", "knox"].contains(arguments[1]),
      let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: collector-bench-core <json|knox> <events> <output folder> [sealed] [memory|disk]\n".utf8))
    exit(64)
}
let format = arguments[1]
let folder = arguments[3]
let sealed = options.contains("sealed")
let buffer = options.contains("disk") ? "disk" : "memory"
try? FileManager.default.removeItem(atPath: folder)
var seal = ""
if sealed {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try SealPrivateKey().text.write(toFile: folder + "/seal.key", atomically: true, encoding: .utf8)
    seal = #", "seal": { "key": "${file:"# + folder + #"/seal.key}" }"#
}

var registry = ComponentRegistry()
registry.register(ReplaySourceFactory())
registry.register(FileSinkFactory())
let harness = PipelineHarness(registry: registry, logLevel: .error)
let text = """
{ "name": "bench", "data_dir": "\(folder)/data",
  "sources": { "replay": { "type": "replay", "count": \(count), "batch_size": 512 } },
  "sinks": { "file": { "type": "file", "inputs": ["replay"], "path": "\(folder)/audit.log", "format": "\(format)",
                       "timezone": "UTC", "batch_size": 4096, "buffer": { "type": "\(buffer)" }\(seal) } } }
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
print(String(format: "%@%@ (%@ buffer): %d events acknowledged, %.0f events/s, wall %.2f s, cpu %.2f s, peak RSS %.1f MiB, file %.1f MB",
             format, sealed ? " sealed" : "", buffer, Int(acknowledged), Double(acknowledged) / seconds, seconds, cpuSeconds() - cpuStart,
             Double(usage.ru_maxrss) / 1024, Double(size) / 1e6))
if acknowledged != UInt64(count) { exit(1) }

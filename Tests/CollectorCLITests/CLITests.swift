import Collector
import CollectorTestKit
import Foundation
import Testing

/// Runs the real `collector` binary built next to the test bundle.
@Suite("collector command line")
struct CLITests {
    static var binary: String {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let direct = folder.appendingPathComponent("collector").path
        if FileManager.default.isExecutableFile(atPath: direct) { return direct }
        // Swift Testing may run from inside the .xctest bundle.
        return folder.deletingLastPathComponent().appendingPathComponent("collector").path
    }

    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func collector(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
                      standardError: String(decoding: errData, as: UTF8.self))
    }

    @Test func validateReportsEveryMistakeWithItsPlaceAndExits78() throws {
        let folder = PipelineHarness.temporaryDirectory()
        let file = folder + "/broken.json"
        try """
        { "name": "broken", "data_dir": "/tmp/broken", "queue_capacity": -1,
          "sources": { },
          "sinks": {
            "archive": { "type": "file", "inputs": ["tomcat"], "path": "/var/log/a.log", "format": "knox",
                         "rotate": { "keep": "seven" }, "pth": "x" },
            "screen": { "type": "stdouts", "inputs": ["tomcat"] } } }
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try Self.collector(["validate", file])
        #expect(result.status == 78)
        let lines = result.standardError.split(separator: "\n").map(String.init).filter { $0.hasPrefix(file + ": ") && !$0.hasSuffix(" errors") }
        let expected = [
            "queue_capacity: -1 is out of range (1 to 1000000)",
            "sources: at least one source is required",
            "sinks.archive.rotate.keep: expected an integer, found a string",
            "sinks.archive.pth: unknown key (did you mean \"path\"?)",
            "sinks.screen.type: unknown sink type \"stdouts\"",
        ]
        for message in expected {
            #expect(lines.contains { $0.hasPrefix("\(file): \(message)") }, "missing: \(message)\n\(result.standardError)")
        }
        #expect(result.standardError.contains("\(file): \(lines.count) errors"))
    }

    @Test func everyShippedPipelineValidates() throws {
        let folder = Self.packageRoot + "/pipelines"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        #expect(!files.isEmpty)
        let result = try Self.collector(["validate"] + files.map { folder + "/" + $0 })
        #expect(result.status == 0, "\(result.standardError)")
    }

    @Test func componentsListsTypesKeysAndDefaults() throws {
        let result = try Self.collector(["components"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("  file: "))
        #expect(result.standardOutput.contains("    rotate.keep (integer 0...100000) = 7"))
        #expect(result.standardOutput.contains("    path (string) required"))
        #expect(result.standardOutput.contains("    batch_size (integer 1...100000) = 512"))
    }

    @Test func dryRunPrintsEventsAndCommitsNoCheckpoint() throws {
        let folder = PipelineHarness.temporaryDirectory()
        let file = folder + "/p.json"
        try """
        { "name": "dry", "data_dir": "\(folder)/data",
          "sources": { "in": { "type": "jsonl", "paths": ["\(folder)/in.jsonl"] } },
          "sinks": { "archive": { "type": "file", "inputs": ["in"], "path": "\(folder)/never.log" },
                     "screen": { "type": "stdout", "inputs": ["in"], "format": "knox" } } }
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let event = #"{"id":"e1","time":"2024-04-25T16:59:00.390+02:00","actor":{"name":"victor"},"action":{"type":"EXECUTION_FINISHED","outcome":"success"},"resource":{"type":"workflow","name":"/A"},"application":{"name":"KNIME","component":"KNIME Server","host":"h"},"attributes":{"jobId":"j1"}}"#
        try (event + "\n").write(toFile: folder + "/in.jsonl", atomically: true, encoding: .utf8)
        let result = try Self.collector(["run", "--dry-run", "--exit-when-idle", "--log-level", "warning", file])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == event + "\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/never.log"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/data/checkpoints"))
    }
}

@Suite("collector run: SIGTERM and restart")
struct SignalTests {
    @Test func sigtermDrainsWritesTheCheckpointAndARestartCompletesWithoutLoss() throws {
        let folder = PipelineHarness.temporaryDirectory()
        let count = 40_000
        var input = ""
        input.reserveCapacity(count * 120)
        for index in 0..<count {
            input += #"{"id":"e\#(index)","time":"2024-04-25T16:59:00.390+02:00","action":{"type":"access","outcome":"success"},"attributes":{"n":"\#(index)"}}"# + "\n"
        }
        try input.write(toFile: folder + "/in.jsonl", atomically: true, encoding: .utf8)
        let file = folder + "/p.json"
        try """
        { "name": "sig", "data_dir": "\(folder)/data", "checkpoint_interval_ms": 50,
          "sources": { "in": { "type": "jsonl", "paths": ["\(folder)/in.jsonl"] } },
          "sinks": { "out": { "type": "file", "inputs": ["in"], "path": "\(folder)/out.jsonl", "batch_size": 16 } } }
        """.write(toFile: file, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = ["run", "--log-level", "warning", file]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.3)
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(process.terminationReason == .exit)

        let written = readLines(folder + "/out.jsonl").count
        let checkpoint = try #require(try CheckpointStore(dataDirectory: folder + "/data").load(source: "in")).checkpoint.text
        let offset = try #require(Int(checkpoint.split(separator: "\t")[1]))
        let linesBefore = input.utf8.prefix(offset).filter { $0 == 0x0A }.count
        // Drained: everything written was acknowledged and the checkpoint says exactly that.
        #expect(written > 0 && written < count, "stopped mid-stream (\(written) of \(count))")
        #expect(linesBefore == written)

        let rerun = try CLITests.collector(["run", "--exit-when-idle", "--log-level", "warning", file])
        #expect(rerun.status == 0, "\(rerun.standardError)")
        let ids = readLines(folder + "/out.jsonl").compactMap(jsonID)
        #expect(ids.count == count)
        #expect(Set(ids).count == count)
    }
}

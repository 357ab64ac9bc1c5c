import Collector
import CollectorTestKit
import Foundation
import Testing

/// `collector demo` as a new user sees it: a table that fits a terminal, and `--raw` for the records.
@Suite("collector demo output")
struct DemoOutputTests {
    static var pipeline: String { CLITests.packageRoot + "/pipelines/knime-audit-demo.json" }

    @Test func summaryTableFitsATerminalAndNamesEveryJob() throws {
        let folder = PipelineHarness.temporaryDirectory()
        let result = try CLITests.collector(["demo", "--jobs", "12", "--directory", folder, "--pipeline", Self.pipeline])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let lines = (result.standardOutput + result.standardError).split(separator: "\n", omittingEmptySubsequences: false)
        let long = lines.filter { $0.count > 200 }
        #expect(long.isEmpty, "lines over 200 characters: \(long.map { "\($0.count): \($0.prefix(80))…" })")
        let output = result.standardOutput.split(separator: "\n").map(String.init)
        let header = try #require(output.first { $0.hasPrefix("time ") }, "no table header in: \(result.standardOutput)")
        for column in ["user", "workflow", "state", "read", "written", "audit folder"] { #expect(header.contains(column)) }
        let records = try String(contentsOfFile: folder + "/out/audit.log", encoding: .utf8).split(separator: "\n")
        #expect(records.count == 12)
        // One row per record, each naming its job's audit folder (relative to the audit root).
        let rows = output.filter { $0.contains("/Examples/") || $0.contains("/Research/") || $0.contains("/Team A/") }
        #expect(rows.count == records.count)
        let day = try #require(try FileManager.default.contentsOfDirectory(atPath: folder + "/audit").first)
        #expect(rows.allSatisfy { $0.contains(day + "/") })
        #expect(!result.standardOutput.contains("\u{1B}["), "colours on a pipe")
        #expect(result.standardOutput.contains("audit file:") && result.standardOutput.contains("real server:"))
        #expect(!output.contains { $0.contains("|") }, "a raw Knox line without --raw")
    }

    @Test func rawPrintsTheKnoxRecordsInsteadOfTheTable() throws {
        let folder = PipelineHarness.temporaryDirectory()
        let result = try CLITests.collector(["demo", "--raw", "--jobs", "6", "--directory", folder, "--pipeline", Self.pipeline])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let knox = result.standardOutput.split(separator: "\n").filter { $0.split(separator: "|", omittingEmptySubsequences: false).count >= 13 }
        let records = try String(contentsOfFile: folder + "/out/audit.log", encoding: .utf8).split(separator: "\n")
        #expect(knox.count == records.count && records.count == 6)
        #expect(!result.standardOutput.split(separator: "\n").contains { $0.hasPrefix("time ") })
    }
}

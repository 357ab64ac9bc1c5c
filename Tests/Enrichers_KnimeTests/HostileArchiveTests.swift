import Foundation
import KnimeStandIn
import Testing
@testable import Enrichers_Knime

@Suite("hostile workflow archives")
struct HostileArchiveTests {
    @Test("zip-slip: refused, nothing written outside, no output left", arguments: [false, true])
    func zipSlip(viaSymlink: Bool) throws {
        let dir = TestFiles.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/a/b", withIntermediateDirectories: true)
        let input = dir + "/a/slip.knwf"
        try StandInArchives.writeZipSlip(to: input, viaSymlink: viaSymlink)
        let error = #expect(throws: KnwfError.self) {
            try KnwfProcessor().process(input: input, output: dir + "/a/b/out.knwf")
        }
        #expect(error?.description.contains(viaSymlink ? "links are not allowed" : "escapes the root folder") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/escaped.txt"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/a/escaped.txt"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/a/b/out.knwf"))
    }

    @Test("zip bomb: refused on the compression ratio, bounded work")
    func bomb() throws {
        let dir = TestFiles.temporaryDirectory()
        let input = dir + "/bomb.knwf"
        try StandInArchives.writeZipBomb(to: input, megabytes: 64)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: input)[.size] as? NSNumber).intValue
        #expect(size < 1 << 20)
        let error = #expect(throws: KnwfError.self) {
            try KnwfProcessor().process(input: input, output: dir + "/out.knwf")
        }
        #expect(error?.description.contains("compression ratio") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.knwf"))
    }

    @Test("limits: entry count and kept bytes")
    func limits() throws {
        let dir = TestFiles.temporaryDirectory()
        var limits = KnwfLimits()
        limits.maxEntries = 10
        #expect(throws: KnwfError.self) {
            try KnwfProcessor(limits: limits).process(input: TestFiles.archive("Pharmacophores_matrix.knwf"), output: dir + "/o.knwf")
        }
        limits = KnwfLimits()
        limits.maxKeptBytes = 10_000
        #expect(throws: KnwfError.self) {
            try KnwfProcessor(limits: limits).process(input: TestFiles.archive("Pharmacophores_matrix.knwf"), output: dir + "/o.knwf")
        }
    }

    @Test("external entity to /etc/passwd is not expanded")
    func externalEntity() throws {
        let dir = TestFiles.temporaryDirectory()
        let input = dir + "/entity.knwf"
        try StandInArchives.writeExternalEntity(to: input)
        let result = try KnwfProcessor().process(input: input, output: dir + "/out.knwf")
        let everything = result.locations.map(\.value).joined() + result.problems.joined()
        #expect(!everything.contains("root:"))
        #expect(result.locations.map(\.value) == ["file:/data/safe.csv"])
    }

    @Test("truncated archive: a clear error")
    func truncated() throws {
        let dir = TestFiles.temporaryDirectory()
        let data = try Data(contentsOf: URL(fileURLWithPath: TestFiles.archive("spatial-weights.knwf")))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: dir + "/t.knwf"))
        #expect(throws: KnwfError.self) {
            try KnwfProcessor().process(input: dir + "/t.knwf", output: dir + "/o.knwf")
        }
    }
}

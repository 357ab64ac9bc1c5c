import Archive
import Foundation
import KnimeStandIn
import Testing
@testable import Enrichers_Knime

@Suite("hostile workflow archives")
struct HostileArchiveTests {
    @Test("zip-slip: the escaping entry is skipped and named, nothing written outside, the workflow kept", arguments: [false, true])
    func zipSlip(viaSymlink: Bool) throws {
        let dir = TestFiles.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/a/b", withIntermediateDirectories: true)
        let input = dir + "/a/slip.knwf"
        try StandInArchives.writeZipSlip(to: input, viaSymlink: viaSymlink)
        let result = try KnwfProcessor().process(input: input, output: dir + "/a/b/out.knwf")
        #expect(result.skippedEntries == 1)
        #expect(result.skipped == [viaSymlink ? "Evil/link (link)" : "Evil/../../escaped.txt (escapes the root folder)"])
        #expect(result.keptEntries == ["workflow.knime"])
        #expect(!FileManager.default.fileExists(atPath: dir + "/escaped.txt"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/a/escaped.txt"))
        #expect(try Self.listing(dir + "/a/b/out.knwf") == ["Evil/workflow.knime"])
    }

    @Test("odd entries (../x, /abs, a second root folder, a symlink) are skipped and named; the workflow is still filtered and extracted")
    func oddEntries() throws {
        let dir = TestFiles.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/in/out", withIntermediateDirectories: true)
        let input = dir + "/in/odd.knwf"
        try Self.writeOddArchive(to: input)
        let listed = try Self.listing(input)
        #expect(listed.contains("../x") && listed.contains("/abs"), "the archive really holds the odd names: \(listed)")
        let output = dir + "/in/out/filtered.knwf"
        let result = try KnwfProcessor().process(input: input, output: output)
        #expect(result.rootFolder == "Odd")
        #expect(result.locations.map(\.value) == ["file:/data/in.csv"])
        #expect(result.locations.first?.node == "File Reader (#1)/settings.xml")
        #expect(result.problems.isEmpty)
        #expect(result.keptEntries == ["workflow.knime", "File Reader (#1)/settings.xml"])
        #expect(result.droppedEntries == 1)
        #expect(result.skippedEntries == 6)
        #expect(result.skipped == [
            "Other/data.txt (outside the workflow's root folder)",
            "../x (escapes the root folder)",
            "/abs (absolute path)",
            "Odd/link (link)",
            "Other/workflow.knime (outside the workflow's root folder)",
            "Other/Node (#2)/settings.xml (outside the workflow's root folder)",
        ])
        // Nothing written anywhere but the output.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["in"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/in").sorted() == ["odd.knwf", "out"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/in/out") == ["filtered.knwf"])
        // The filtered copy is restorable: a clean archive of the workflow alone, read back the same.
        #expect(try Self.listing(output) == ["Odd/workflow.knime", "Odd/File Reader (#1)/settings.xml"])
        let again = try KnwfProcessor().process(input: output, output: nil)
        #expect(again.skippedEntries == 0)
        #expect(again.locations == result.locations)
    }

    @Test("only unsafe entries: a clear error")
    func onlyUnsafe() throws {
        let dir = TestFiles.temporaryDirectory()
        let writer = try ArchiveWriter(path: dir + "/u.knwf")
        try writer.addFile("../x", Array("x".utf8))
        try writer.addFile("top.txt", Array("x".utf8))
        try writer.close()
        let error = #expect(throws: KnwfError.self) {
            try KnwfProcessor().process(input: dir + "/u.knwf", output: dir + "/o.knwf")
        }
        #expect(error?.description.contains("no workflow root folder") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/o.knwf"))
    }

    /// Entry paths of an archive, in order.
    static func listing(_ path: String) throws -> [String] {
        let reader = try ArchiveReader(path: path)
        var names: [String] = []
        while let entry = try reader.next() { names.append(entry.path) }
        return names
    }

    /// A workflow `Odd` among a second root folder, `../x`, `/abs` and a symbolic link.
    static func writeOddArchive(to path: String) throws {
        func settings(_ url: String) -> [UInt8] {
            Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <config xmlns="http://www.knime.org/2008/09/XMLConfig" key="settings.xml">
                <entry key="factory" type="xstring" value="org.knime.base.node.io.filereader.FileReaderNodeFactory"/>
                <config key="model"><entry key="DataURL" type="xstring" value="\(url)"/></config>
            </config>
            """.utf8)
        }
        let writer = try ArchiveWriter(path: path)
        try writer.addFile("Other/data.txt", Array("other".utf8))
        try writer.addFile("Odd/workflow.knime", Array("<config/>".utf8))
        try writer.addFile("../x", Array("escaped".utf8))
        try writer.addFile("/abs", Array("absolute".utf8))
        try writer.begin(ArchiveEntry(path: "Odd/link", kind: .symbolicLink, linkTarget: "/etc"))
        try writer.addFile("Odd/File Reader (#1)/settings.xml", settings("file:/data/in.csv"))
        try writer.addFile("Odd/File Reader (#1)/port_1/data.bin", [1, 2, 3])
        try writer.addFile("Other/workflow.knime", Array("<config/>".utf8))
        try writer.addFile("Other/Node (#2)/settings.xml", settings("file:/data/other.csv"))
        try writer.close()
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

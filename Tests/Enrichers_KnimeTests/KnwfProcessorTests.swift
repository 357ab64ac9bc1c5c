import Archive
import Foundation
import LibXML
import Testing
@testable import Enrichers_Knime

@Suite("KNWF processing")
struct KnwfProcessorTests {
    struct Row: Hashable, CustomStringConvertible {
        var node, key, kind, fsType, specifier, value: String
        var description: String { "\(node) \(key) \(kind) \(fsType) \(specifier) \(value)" }
    }

    @Test("locations of the three real archives equal expected-locations.json", arguments: TestFiles.archiveNames)
    func realArchives(name: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestFiles.expectedLocations))
        let all = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [[String: String]]])
        let expected = Set(try #require(all[name]).map {
            Row(node: $0["node"]!, key: $0["key"]!, kind: $0["kind"]!, fsType: $0["fs_type"]!, specifier: $0["specifier"]!, value: $0["value"]!)
        })
        let dir = TestFiles.temporaryDirectory()
        let result = try KnwfProcessor().process(input: TestFiles.archive(name), output: dir + "/out.knwf")
        let got = Set(result.locations.map {
            Row(node: $0.node, key: $0.key, kind: $0.kind.rawValue, fsType: $0.fsType, specifier: $0.specifier, value: $0.value)
        })
        #expect(got.subtracting(expected).isEmpty, "unexpected: \(got.subtracting(expected))")
        #expect(expected.subtracting(got).isEmpty, "missing: \(expected.subtracting(got))")
        #expect(result.locations.count == expected.count)
        #expect(result.problems.isEmpty)
        // The filtered archive holds configuration only, under the same root folder.
        let reader = try ArchiveReader(path: dir + "/out.knwf")
        var names: [String] = []
        while let entry = try reader.next() { names.append(entry.path) }
        #expect(names.count == result.keptEntries.count)
        #expect(names.allSatisfy { $0.hasPrefix(result.rootFolder + "/") })
        #expect(names.allSatisfy { KnwfProcessor.isConfiguration(Array($0.split(separator: "/").dropFirst().map(String.init))) })
        #expect(!names.contains { $0.hasSuffix(".project") })
    }

    @Test("root folder is found from the listing, not the file name")
    func rootFolder() throws {
        let dir = TestFiles.temporaryDirectory()
        let result = try KnwfProcessor().process(input: TestFiles.archive("spatial-weights.knwf"), output: dir + "/o.knwf")
        #expect(result.rootFolder == "GeoExtensionNodes")
    }

    @Test("MySQL password (xpassword) never appears in the locations or the tree")
    func passwordsDropped() throws {
        let dir = TestFiles.temporaryDirectory()
        let result = try KnwfProcessor().process(input: TestFiles.archive("01_ChEMBL_bioactive_compunds.knwf"), output: dir + "/o.knwf")
        #expect(!result.locations.contains { $0.value.contains("02DAAAAGMq_QxveL1vZ0EBjxsPoXBmChY1qT3EMvQmkEs=") })
        let xml = Array("""
        <config xmlns="http://www.knime.org/2008/09/XMLConfig" key="settings.xml"><config key="model">\
        <entry key="password" type="xpassword" value="secret"/></config></config>
        """.utf8)
        let config = KnimeConfig(settingsXML: try LibXMLDocument(parsing: xml, name: "s.xml").root)
        #expect(config.descendant(["model", "password"])?.value == "")
    }

    @Test("flow-variable overrides are flagged, factory gives the role")
    func overrides() throws {
        let dir = TestFiles.temporaryDirectory()
        let result = try KnwfProcessor().process(input: TestFiles.archive("01_ChEMBL_bioactive_compunds.knwf"), output: dir + "/o.knwf")
        let writer = try #require(result.locations.first { $0.node == "Multitarget (#1695)/Excel Writer (#294)/settings.xml" })
        #expect(writer.overriddenBy == "file-input_location")
        #expect(writer.role == .writer)
        let reader = try #require(result.locations.first { $0.node.hasSuffix("Excel Reader (#286)/settings.xml") })
        #expect(reader.role == .reader)
    }

    @Test("a broken settings.xml among good ones is named; every other node is still extracted")
    func brokenSettings() throws {
        let name = "01_ChEMBL_bioactive_compunds.knwf"
        let broken = "MySQL Connector (#6)/settings.xml"
        let dir = TestFiles.temporaryDirectory()
        let input = dir + "/broken.knwf"
        try Self.rewrite(TestFiles.archive(name), to: input, corrupting: broken)
        let data = try Data(contentsOf: URL(fileURLWithPath: TestFiles.expectedLocations))
        let all = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [[String: String]]])
        let rows = try #require(all[name])
        let expected = Set(rows.filter { $0["node"] != broken }.map { "\($0["node"]!) \($0["key"]!) \($0["value"]!)" })
        #expect(expected.count < Set(rows.map { "\($0["node"]!) \($0["key"]!) \($0["value"]!)" }).count, "the broken node had locations")
        let result = try KnwfProcessor().process(input: input, output: dir + "/out.knwf")
        #expect(result.unparsedSettings == [broken])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.contains(broken) == true, "\(result.problems)")
        #expect(Set(result.locations.map { "\($0.node) \($0.key) \($0.value)" }) == expected)
        #expect(result.keptEntries.contains(broken), "the broken file is still kept in the audit copy")
    }

    /// Copies an archive entry by entry, replacing `corrupting` (root-relative) with XML cut short.
    static func rewrite(_ input: String, to output: String, corrupting: String) throws {
        let reader = try ArchiveReader(path: input)
        let writer = try ArchiveWriter(path: output)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var found = false
        while let entry = try reader.next() {
            guard entry.kind == .file else {
                try writer.begin(entry)
                continue
            }
            var bytes: [UInt8] = []
            while case let n = try reader.read(into: buffer), n > 0 {
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
            if entry.path.split(separator: "/").dropFirst().joined(separator: "/") == corrupting {
                bytes = Array(bytes.prefix(bytes.count / 2)) + Array("<entry key=\"".utf8)
                found = true
            }
            try writer.addFile(entry.path, bytes, modificationTime: entry.modificationTime)
        }
        try writer.close()
        precondition(found, "\(corrupting) is not in \(input)")
    }

    @Test("KNIME %%ddddd unescape")
    func unescape() {
        #expect(KnimeUnescape.decode("a%%00010b%%00032c") == "a\nb c")
        #expect(KnimeUnescape.decode("100%%") == "100%%")
        #expect(KnimeUnescape.decode("%%0003") == "%%0003")
    }
}

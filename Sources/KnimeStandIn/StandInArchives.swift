import Archive
import Foundation

/// The archives the stand-in serves: the three real ones shipped with it, and hostile ones it
/// writes itself on demand (zip-slip, zip bomb, an external-entity settings.xml).
public enum StandInArchives {
    /// The real workflow archives (MIT, see Resources/knwf/README.md), by file name.
    public static let realNames = ["01_ChEMBL_bioactive_compunds.knwf", "Pharmacophores_matrix.knwf", "spatial-weights.knwf"]

    /// The folder holding the real archives: `KNIME_STANDIN_ARCHIVES` if set, else the bundled resources.
    public static var realDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["KNIME_STANDIN_ARCHIVES"] { return dir }
        return Bundle.module.bundleURL.appendingPathComponent("knwf").path
    }

    public static func real(_ name: String) -> String { realDirectory + "/" + name }

    /// An archive with an entry that climbs out of its root folder (`Evil/../../escaped.txt`) and a symlink.
    public static func writeZipSlip(to path: String, viaSymlink: Bool = false) throws {
        let writer = try ArchiveWriter(path: path)
        try writer.addFile("Evil/workflow.knime", Array("<config/>".utf8))
        if viaSymlink {
            try writer.begin(ArchiveEntry(path: "Evil/link", kind: .symbolicLink, linkTarget: "/etc"))
        } else {
            try writer.addFile("Evil/../../escaped.txt", Array("escaped\n".utf8))
        }
        try writer.close()
    }

    /// A small archive whose kept `workflow.svg` decompresses to `megabytes` MiB of one byte.
    public static func writeZipBomb(to path: String, megabytes: Int = 128) throws {
        let writer = try ArchiveWriter(path: path, compressionLevel: 9)
        try writer.addFile("Bomb/workflow.knime", Array("<config/>".utf8))
        let chunk = [UInt8](repeating: UInt8(ascii: "A"), count: 1 << 20)
        try writer.begin(ArchiveEntry(path: "Bomb/workflow.svg", kind: .file, declaredSize: Int64(megabytes) << 20))
        for _ in 0..<megabytes { try writer.write(chunk) }
        try writer.close()
    }

    /// An archive whose settings.xml declares an external entity pointing at /etc/passwd and uses it.
    public static func writeExternalEntity(to path: String) throws {
        let settings = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE config [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
        <config xmlns="http://www.knime.org/2008/09/XMLConfig" key="settings.xml">
            <entry key="factory" type="xstring" value="org.knime.base.node.io.filereader.FileReaderNodeFactory"/>
            <config key="model">
                <entry key="DataURL" type="xstring" value="file:/data/safe.csv"/>
                <config key="leak">&xxe;</config>
            </config>
        </config>
        """
        let writer = try ArchiveWriter(path: path)
        try writer.addFile("Entity/workflow.knime", Array("<config/>".utf8))
        try writer.addFile("Entity/File Reader (#1)/settings.xml", Array(settings.utf8))
        try writer.close()
    }

    /// An archive with configuration plus `megabytes` MiB of incompressible intermediate data in
    /// `port_1/` folders (for memory benchmarks).
    public static func writeLargeExecuted(to path: String, megabytes: Int) throws {
        let writer = try ArchiveWriter(path: path, compressionLevel: 1)
        try writer.addFile("Big/workflow.knime", Array("<config/>".utf8))
        try writer.addFile("Big/CSV Reader (#1)/settings.xml", Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <config xmlns="http://www.knime.org/2008/09/XMLConfig" key="settings.xml">
        <entry key="factory" type="xstring" value="org.knime.base.node.io.filehandling.csv.reader.CSVTableReaderNodeFactory"/>
        <config key="model"><config key="settings"><config key="file_selection"><config key="path">
        <entry key="location_present" type="xboolean" value="true"/>
        <entry key="file_system_type" type="xstring" value="LOCAL"/>
        <entry key="path" type="xstring" value="/data/big.csv"/>
        </config></config></config></config></config>
        """.utf8))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        for file in 0..<max(1, megabytes / 16) {
            let size = min(16, megabytes - file * 16)
            guard size > 0 else { break }
            try writer.begin(ArchiveEntry(path: "Big/CSV Reader (#1)/port_1/data\(file).bin", kind: .file, declaredSize: Int64(size) << 20))
            for _ in 0..<size {
                for index in stride(from: 0, to: chunk.count, by: 8) {
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    withUnsafeBytes(of: state) { bytes in
                        for offset in 0..<8 { chunk[index + offset] = bytes[offset] }
                    }
                }
                try writer.write(chunk)
            }
        }
        try writer.close()
    }
}

extension StandInArchives {
    /// A copy of a real archive as an executed workflow exports it: every node folder also holds
    /// `port_1/`, `internal/`, `data/` and `filestore/` intermediate data (what must not be archived).
    public static func writeExecutedCopy(of source: String, to path: String) throws {
        let reader = try ArchiveReader(path: source)
        let writer = try ArchiveWriter(path: path)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var nodeFolders: [String] = []
        while let entry = try reader.next() {
            guard entry.kind == .file else { continue }
            var bytes: [UInt8] = []
            while true {
                let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                if n == 0 { break }
                bytes += buffer[0..<n]
            }
            try writer.addFile(entry.path, bytes, permissions: 0o644, modificationTime: entry.modificationTime)
            if entry.path.hasSuffix("/settings.xml") { nodeFolders.append(String(entry.path.dropLast("settings.xml".count))) }
        }
        let table = Array(String(repeating: "Row0,1.5,compound CHEMBL25,active\n", count: 2_000).utf8)
        for folder in nodeFolders {
            try writer.addFile(folder + "port_1/spec.xml", Array("<config key=\"spec.xml\"/>".utf8))
            try writer.addFile(folder + "port_1/data.zip", table)
            try writer.addFile(folder + "internal/internalTables.zip", table)
            try writer.addFile(folder + "data/view.bin", table)
            try writer.addFile(folder + "filestore/000/file.bin", table)
        }
        try writer.close()
    }
}

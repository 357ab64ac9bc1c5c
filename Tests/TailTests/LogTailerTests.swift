import Collector
import CollectorTestKit
import Foundation
import Logging
import Testing
@testable import Tail

/// The tailer's identity rules, driven directly on real files.
@Suite struct LogTailerTests {
    func identity(_ path: String) -> FileIdentity {
        var info = stat()
        stat(path, &info)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let print = FileIdentity.fingerprint(fd, length: FileIdentity.fingerprintBytes)
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
                            fingerprintLength: print.length, fingerprint: print.hash)
    }

    @Test func checkpointRoundTrip() {
        let entries = [TailCheckpoint.Entry(identity: FileIdentity(device: 2049, inode: .max, fingerprintLength: 256, fingerprint: 0xDEAD_BEEF),
                                            offset: 123_456_789, size: 123_456_800, rolled: true, path: "/var/log/knox/gateway-audit.log.3"),
                       TailCheckpoint.Entry(identity: FileIdentity(device: 1, inode: 2, fingerprintLength: 0, fingerprint: 0), offset: 0)]
        let encoded = TailCheckpoint(entries: entries).encoded()
        #expect(encoded.bytes.count == 1 + 2 * 45 + "/var/log/knox/gateway-audit.log.3".utf8.count)
        #expect(TailCheckpoint.decode(encoded)?.entries == entries)
        #expect(TailCheckpoint.decode(Checkpoint("0\t12\t/some/path")) == nil)
        #expect(TailCheckpoint.decode(Checkpoint(Array(encoded.bytes.dropLast()))) == nil, "a cut checkpoint is not one")
        // Version 1 (written before sizes and paths were kept) still decodes.
        var old: [UInt8] = [1]
        for value in [UInt64(7), 8] { old += withUnsafeBytes(of: value.littleEndian, Array.init) }
        old += [16, 0] + withUnsafeBytes(of: UInt64(99).littleEndian, Array.init) + withUnsafeBytes(of: UInt64(1234).littleEndian, Array.init)
        let decoded = TailCheckpoint.decode(Checkpoint(old))
        #expect(decoded?.entries == [TailCheckpoint.Entry(identity: FileIdentity(device: 7, inode: 8, fingerprintLength: 16, fingerprint: 99), offset: 1234)])
    }

    @Test func restoredFileIsFoundByIdentityUnderANewName() throws {
        let folder = PipelineHarness.temporaryDirectory("knime-tailer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try append(folder + "/a.log", Lines.text(0..<5, tag: "s1"))
        let saved = TailCheckpoint(entries: [.init(identity: identity(folder + "/a.log"), offset: 100)])
        rename(folder + "/a.log", folder + "/b.log")
        let tailer = LogTailer(patterns: [folder + "/*.log"], maxLineBytes: 4096, readFromEnd: false, logger: Logger(label: "t"))
        tailer.restore(saved)
        tailer.refresh()
        #expect(tailer.files.count == 1)
        #expect(tailer.files.first?.path == folder + "/b.log")
        #expect(tailer.files.first?.offset == 100)
    }

    @Test func inodeReuseIsToldApartByTheFingerprint() throws {
        let folder = PipelineHarness.temporaryDirectory("knime-tailer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try append(folder + "/a.log", Lines.text(0..<5, tag: "s2"))
        var reused = identity(folder + "/a.log")
        // The same device and inode, but another file's first bytes: the checkpoint's file is gone.
        reused.fingerprint ^= 1
        let tailer = LogTailer(patterns: [folder + "/*.log"], maxLineBytes: 4096, readFromEnd: false, logger: Logger(label: "t"))
        tailer.restore(TailCheckpoint(entries: [.init(identity: reused, offset: 300)]))
        tailer.refresh()
        #expect(tailer.files.first?.offset == 0)
    }

    @Test func readFromEndStartsAfterTheLastCompleteLine() throws {
        let folder = PipelineHarness.temporaryDirectory("knime-tailer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = Lines.text(0..<3, tag: "s3")
        try append(folder + "/a.log", text + "2024-04-25 10:00:00 half")
        let tailer = LogTailer(patterns: [folder + "/*.log"], maxLineBytes: 4096, readFromEnd: true, logger: Logger(label: "t"))
        tailer.refresh()
        #expect(tailer.files.first?.offset == Int64(text.utf8.count))
        #expect(tailer.files.first.flatMap { tailer.nextChunk($0) } == nil, "a partial line is not handed out")
    }

    @Test func idleFilesAreClosedAndReopenedWhenTheyGrow() throws {
        let folder = PipelineHarness.temporaryDirectory("knime-tailer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/localhost.2024-04-25.log"
        try append(path, Lines.text(0..<2, tag: "s4"))
        let tailer = LogTailer(patterns: [folder + "/*.log"], maxLineBytes: 4096, readFromEnd: false,
                               logger: Logger(label: "t"), idleClose: .zero)
        tailer.refresh()
        let file = try #require(tailer.files.first)
        while let chunk = tailer.nextChunk(file) { file.offset = chunk.fileOffset + Int64(chunk.count) }
        tailer.refresh()
        #expect(!file.isOpen, "an idle file read to its end is closed")
        try append(path, Lines.text(2..<3, tag: "s4"))
        tailer.refresh()
        #expect(file.isOpen, "it is reopened when it grows")
        let chunk = try #require(tailer.nextChunk(file))
        #expect(chunk.count == Lines.text(2..<3, tag: "s4").utf8.count)
        #expect(tailer.files.count == 1)
    }

    @Test func aFileReachedTwiceIsFollowedOnce() throws {
        let folder = PipelineHarness.temporaryDirectory("knime-tailer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try append(folder + "/localhost.2024-04-25.log", Lines.text(0..<1, tag: "s5"))
        link(folder + "/localhost.2024-04-25.log", folder + "/localhost.copy.log")
        let tailer = LogTailer(patterns: [folder + "/localhost.*.log", folder + "/*.log"], maxLineBytes: 4096,
                               readFromEnd: false, logger: Logger(label: "t"))
        tailer.refresh()
        #expect(tailer.files.count == 1)
    }

    @Test func overLongLinesAreSkippedWhateverTheBufferBoundaries() throws {
        let folder = PipelineHarness.temporaryDirectory("knime-tailer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/localhost.2024-04-25.log"
        let good = Lines.text(0..<1, tag: "s6")
        // Lines of many lengths around max_line_bytes and the buffer size.
        var text = ""
        for length in [5000, 8191, 8192, 8193, 10_000, 20_000, 3000] {
            text += String(repeating: "y", count: length) + "\n" + good
        }
        try append(path, text)
        let tailer = LogTailer(patterns: [path], maxLineBytes: 4096, readFromEnd: false, logger: Logger(label: "t"),
                               bufferSize: 8192)
        tailer.refresh()
        let file = try #require(tailer.files.first)
        var handed = ""
        while let chunk = tailer.nextChunk(file) {
            handed += String(decoding: UnsafeBufferPointer(start: chunk.bytes, count: chunk.count), as: UTF8.self)
            file.offset = chunk.fileOffset + Int64(chunk.count)
        }
        // Lines that do not fit the buffer are skipped by the tailer (counted); shorter ones are handed
        // out whole, and the reader skips those over max_line_bytes.
        #expect(handed.components(separatedBy: "s6-0 ").count - 1 == 7, "every good line is handed out")
        #expect(file.offset == Int64(text.utf8.count))
        #expect(tailer.overLongLines == 4)
    }
}

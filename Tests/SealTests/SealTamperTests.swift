import Collector
import CollectorTestKit
import Foundation
import Seal
import Sinks_File
import Testing

/// Each test writes three days of sealed, rolled files with the real sink, tampers in one way, and
/// checks that the verifier names the file, the line and the kind of tampering.
@Suite("Seal: verify names every kind of tampering")
struct SealTamperTests {
    func sealed(_ format: EventFormat = .json) async throws -> SealFixture {
        let fixture = SealFixture(format: format)
        try await fixture.write(days: 3)
        return fixture
    }

    @Test(arguments: ["json", "knox"])
    func untouchedFilesVerifyClean(format: String) async throws {
        let fixture = try await sealed(format == "knox" ? .knox(KnoxLayout(zone: .utc)) : .json)
        defer { fixture.remove() }
        #expect(fixture.rolledFiles().count == 2, "\(fixture.names())")
        let report = fixture.verify()
        #expect(report.isClean(), "\(report.listing)")
        #expect(report.records == 54)
        #expect(report.files == 3)
        #expect(report.digests == fixture.digestFiles().count)
        #expect(report.summary.contains("time covered 2025-11-20T00:30:00Z to 2025-11-23T00:30:00Z"), "\(report.summary)")
        // Knox readers see thirteen columns; the seal is the end of LOGGING_MESSAGE.
        if format == "knox" {
            let line = fixture.lines("audit.log")[0]
            #expect(line.contains("|success|jobId=job-1;jobName=Workflow 1 run 1;seq=1;chain=") || line.contains(";seq="), "\(line)")
        } else {
            #expect(fixture.lines("audit.log")[0].hasPrefix("{\"id\":"))
        }
    }

    @Test func anEditedByteIsAModifiedRecord() async throws {
        let fixture = try await sealed()
        defer { fixture.remove() }
        let name = fixture.rolledFiles()[0]
        var lines = fixture.lines(name)
        lines[4] = lines[4].replacingOccurrences(of: "victor", with: "victoR")
        try fixture.setLines(name, lines)
        let report = fixture.verify()
        #expect(report.has(name, line: 5, "modified record"), "\(report.listing)")
        #expect(report.problems.count == 1, "\(report.listing)")
    }

    @Test func aDeletedLineIsADeletedRecord() async throws {
        let fixture = try await sealed()
        defer { fixture.remove() }
        let name = fixture.rolledFiles()[1]
        var lines = fixture.lines(name)
        lines.remove(at: 6)
        try fixture.setLines(name, lines)
        let report = fixture.verify()
        #expect(report.has(name, line: 7, "deleted"), "\(report.listing)")
        #expect(report.problems.count == 1, "\(report.listing)")
    }

    @Test func insertedLinesAreInsertedRecords() async throws {
        let fixture = try await sealed()
        defer { fixture.remove() }
        let name = fixture.rolledFiles()[0]
        var lines = fixture.lines(name)
        lines.insert(lines[2], at: 9)             // a copy of a sealed record
        lines.insert("{\"id\":\"forged\"}", at: 3) // a line without a seal
        try fixture.setLines(name, lines)
        let report = fixture.verify()
        #expect(report.has(name, line: 4, "not a sealed record"), "\(report.listing)")
        #expect(report.has(name, line: 11, "inserted record"), "\(report.listing)")
        #expect(report.problems.count == 2, "\(report.listing)")
    }

    @Test func swappedLinesAreReorderedRecords() async throws {
        let fixture = try await sealed()
        defer { fixture.remove() }
        let name = "audit.log"
        var lines = fixture.lines(name)
        lines.swapAt(3, 4)
        try fixture.setLines(name, lines)
        let report = fixture.verify()
        #expect(report.has(name, line: 5, "reordered record"), "\(report.listing)")
        #expect(report.problems.count == 1, "\(report.listing)")
    }

    @Test func aCutTailIsATruncation() async throws {
        let fixture = try await sealed()
        defer { fixture.remove() }
        let name = fixture.rolledFiles()[0]
        let lines = fixture.lines(name)
        let text = lines.prefix(10).map { $0 + "\n" }.joined() + String(lines[10].prefix(50))
        try text.write(toFile: fixture.audit + "/" + name, atomically: false, encoding: .utf8)
        let report = fixture.verify()
        #expect(report.has(name, line: 11, "truncated"), "\(report.listing)")
        #expect(report.has(name, line: 11, "partial record"), "\(report.listing)")
    }

    @Test func aDeletedRolledFileIsNamed() async throws {
        let fixture = try await sealed()
        defer { fixture.remove() }
        let name = fixture.rolledFiles()[1]
        try FileManager.default.removeItem(atPath: fixture.audit + "/" + name)
        let report = fixture.verify()
        #expect(report.has(name, "deleted file: records seq 19-36"), "\(report.listing)")
        #expect(report.problems.count == 1, "\(report.listing)")
    }

    @Test func aDeletedDigestIsMissingAndSwappedDigestsAreReordered() async throws {
        let fixture = try await sealed()
        defer { fixture.remove() }
        let digests = fixture.digestFiles()
        try FileManager.default.removeItem(atPath: fixture.audit + "/" + digests[3])
        var report = fixture.verify()
        #expect(report.has(digests[3], "missing digest: digest 4 is gone"), "\(report.listing)")

        let a = fixture.audit + "/" + digests[6], b = fixture.audit + "/" + digests[7]
        try FileManager.default.moveItem(atPath: a, toPath: a + ".x")
        try FileManager.default.moveItem(atPath: b, toPath: a)
        try FileManager.default.moveItem(atPath: a + ".x", toPath: b)
        report = fixture.verify()
        #expect(report.has(digests[6], "re-ordered digest: this file holds digest 8"), "\(report.listing)")
        #expect(report.has(digests[7], "re-ordered digest: this file holds digest 7"), "\(report.listing)")
    }

    @Test func aDigestSignedWithAnotherKeyIsNamed() async throws {
        let fixture = try await sealed()
        defer { fixture.remove() }
        let name = fixture.digestFiles()[2]
        var digest = try SealDigest.decode(try #require(try FileIO.readAll(fixture.audit + "/" + name)))
        let other = SealPrivateKey()
        digest.keyID = other.publicKey.id
        try digest.encode(signingWith: other).withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: fixture.audit + "/" + name)) }
        let report = fixture.verify()
        #expect(report.has(name, "signed with another key"), "\(report.listing)")
        // A verifier given the wrong public key rejects every digest.
        let wrong = fixture.verify(key: other.publicKey)
        #expect(wrong.problems.filter { $0.message.contains("signed with another key") }.count == fixture.digestFiles().count - 1)
    }

    /// CVE-2023-31439's lesson: someone who can rewrite the files but has no key alters a record and
    /// re-computes every chain after it (and every digest's hashes); the signatures give it away.
    @Test func aChainRecomputedWithoutTheKeyIsDetected() async throws {
        let fixture = try await sealed()
        defer { fixture.remove() }
        let files = fixture.rolledFiles() + ["audit.log"]
        var chain = SealChain.genesis
        var altered = false
        for name in files {
            var lines = fixture.lines(name)
            for index in lines.indices {
                var line = lines[index]
                if name == files[0], index == 7 {
                    line = line.replacingOccurrences(of: "EXECUTION_FINISHED", with: "EXECUTION_FAILED")
                    altered = true
                }
                let trailer = try #require(SealRecord.parse(Array(line.utf8)))
                var bytes = Array(line.utf8.prefix(trailer.coveredCount))
                chain = chain.next(covering: bytes)
                bytes += Array(chain.hex.utf8) + Array("\"}".utf8)
                lines[index] = String(decoding: bytes, as: UTF8.self)
            }
            try fixture.setLines(name, lines)
        }
        #expect(altered)
        var report = fixture.verify()
        #expect(report.has(files[0], line: 7, "re-computed without the key"), "\(report.listing)")
        #expect(report.has(files[1], line: 1, "does not continue the chain signed in"), "\(report.listing)")
        #expect(!report.problems.contains { $0.message.contains("modified record") }, "each record matches its (forged) chain")

        // Re-writing the digests to match needs a signature: with another key, it shows.
        let attacker = SealPrivateKey()
        var previous: [UInt8]?
        for name in fixture.digestFiles() {
            var digest = try SealDigest.decode(try #require(try FileIO.readAll(fixture.audit + "/" + name)))
            digest.keyID = fixture.key.publicKey.id
            digest.previousSignature = previous
            let bytes = try digest.encode(signingWith: attacker)
            previous = digest.signature
            try Data(bytes).write(to: URL(fileURLWithPath: fixture.audit + "/" + name))
        }
        report = fixture.verify()
        #expect(report.problems.filter { $0.message.contains("the signature does not verify") }.count == fixture.digestFiles().count,
                "\(report.listing)")
    }

    @Test func recordsAfterTheLastDigestAreReportedAsNotSignedYet() async throws {
        let fixture = SealFixture()
        defer { fixture.remove() }
        try await fixture.write(days: 1, step: 600, shutdown: false)  // a crash: no shutdown digest
        let report = fixture.verify()
        #expect(report.problems.isEmpty, "\(report.listing)")
        #expect(report.unsigned.count == 1, "\(report.listing)")
        #expect(report.unsigned.first?.message.contains("are chained but no digest signs them") == true)
        #expect(!report.isClean())
        #expect(report.isClean(allowUnsigned: true))

        // A restart signs them at once, and the digest records the restart.
        fixture.touch(fixture.path)
        let sink = fixture.sink()
        try await sink.start()
        await sink.shutdown()
        let after = fixture.verify()
        #expect(after.isClean(), "\(after.listing)")
        #expect(after.restarts == 1 && after.uncleanRestarts == 1, "\(after.summary)")
        let digest = try SealDigest.decode(try #require(try FileIO.readAll(fixture.audit + "/" + fixture.digestFiles().suffix(2).first!)))
        #expect(digest.reason == "restart")
        #expect((digest.restart?.recoveredRecords ?? 0) > 0)
    }

    @Test func aRollInterruptedByAStopIsNamedAndFinishedAtTheNextStart() async throws {
        let fixture = SealFixture()
        defer { fixture.remove() }
        try await fixture.write(days: 1.01, shutdown: false)  // the last batch rolled the file
        let rolled = try #require(fixture.rolledFiles().first)
        // As if killed between the roll's digest and its rename.
        try FileManager.default.removeItem(atPath: fixture.path)
        try FileManager.default.moveItem(atPath: fixture.audit + "/" + rolled, toPath: fixture.path)
        let report = fixture.verify()
        #expect(report.problems.isEmpty, "\(report.listing)")
        #expect(report.unsigned.contains { $0.kind == .interrupted && $0.message.contains("the roll to \(rolled)") }, "\(report.listing)")
        #expect(!report.isClean())
        let sink = fixture.sink()
        try await sink.start()
        await sink.shutdown()
        #expect(fixture.rolledFiles() == [rolled])
        let after = fixture.verify()
        #expect(after.isClean(), "\(after.listing)")
    }

    @Test func aSinkRefusesToContinueATamperedChain() async throws {
        let fixture = SealFixture()
        defer { fixture.remove() }
        try await fixture.write(days: 1, step: 600, shutdown: false)
        var lines = fixture.lines("audit.log")
        lines[lines.count - 1] = lines[lines.count - 1].replacingOccurrences(of: "victor", with: "mallory")
        try fixture.setLines("audit.log", lines)
        let sink = fixture.sink()
        await #expect(throws: CollectorError.self) { try await sink.start() }
        await sink.shutdown()
    }

    @Test func filesDeletedByRotationAreSignedNotMissing() async throws {
        let fixture = SealFixture(rotation: .init(daily: true, maxBytes: 4000, keep: 3))
        defer { fixture.remove() }
        try await fixture.write(days: 4, step: 3600)
        #expect(fixture.rolledFiles().count == 3)
        let report = fixture.verify()
        #expect(report.isClean(), "\(report.listing)")
        #expect(report.filesDeletedByRotation > 0, "\(report.summary)")
    }

    @Test func sizeRollsWithShiftedNamesVerify() async throws {
        let fixture = SealFixture(rotation: .init(daily: false, maxBytes: 3000, keep: 4))
        defer { fixture.remove() }
        try await fixture.write(days: 2, step: 1800)
        #expect(fixture.rolledFiles() == ["audit.log.1", "audit.log.2", "audit.log.3", "audit.log.4"])
        let report = fixture.verify()
        #expect(report.isClean(), "\(report.listing)")
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.audit + "/" + fixture.digestFiles()[0])
        #expect((attributes[.posixPermissions] as? Int ?? 0) & 0o037 == 0, "digests are 0640 like the audit files")
    }
}

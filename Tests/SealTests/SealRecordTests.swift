import Collector
import CollectorTestKit
import Seal
import Foundation
import Testing

@Suite("Seal: records and digests")
struct SealRecordTests {
    @Test func jsonAndKnoxSealsAreReadBackAndCoverTheLine() throws {
        for (format, record) in [(SealRecord.Format.json, #"{"id":"a","n":1}"#), (.knox, "24/04/25 16:59:00 ||id|c|n|u||||t|r|success|a=1"),
                                 (.knox, "24/04/25 16:59:00 ||id|c|n|u||||t|r|success|")] {
            var out = Array(record.utf8)
            let chain = SealRecord.seal(&out, recordStart: 0, format: format, seq: 42, previous: .genesis)
            #expect(out.last == 0x0A)
            let line = Array(out.dropLast())
            let trailer = try #require(SealRecord.parse(line), "\(String(decoding: line, as: UTF8.self))")
            #expect(trailer.seq == 42)
            #expect(trailer.chain == chain)
            #expect(SealChain.genesis.next(covering: Array(line[0..<trailer.coveredCount])) == chain)
            let text = String(decoding: line, as: UTF8.self)
            if format == .json {
                #expect(text.hasPrefix(#"{"id":"a","n":1,"seq":42,"chain":""#))
                #expect(text.hasSuffix("\(chain.hex)\"}"))
            } else if record.hasSuffix("|") {
                #expect(text.hasSuffix("|success|seq=42;chain=\(chain.hex)"))
            } else {
                #expect(text.hasSuffix("|success|a=1;seq=42;chain=\(chain.hex)"))
            }
        }
        #expect(SealRecord.parse(Array(#"{"id":"a"}"#.utf8)) == nil)
    }

    @Test func keysRoundTripAndSignaturesNeedTheRightKey() throws {
        let key = SealPrivateKey()
        let again = try SealPrivateKey(text: key.text + "\n")
        #expect(again.publicKey == key.publicKey)
        let publicKey = try SealPublicKey(text: key.publicKey.text)
        let signature = try key.sign(Array("abc".utf8))
        #expect(publicKey.isValidSignature(signature, for: Array("abc".utf8)))
        #expect(!publicKey.isValidSignature(signature, for: Array("abd".utf8)))
        #expect(!SealPrivateKey().publicKey.isValidSignature(signature, for: Array("abc".utf8)))
        #expect(throws: SealKeyError.self) { try SealPrivateKey(text: "ed25519-private:00") }
        #expect(!"\(key)".contains(key.text))
    }

    @Test func digestsRoundTripAndTheSignatureCoversEveryByte() throws {
        let key = SealPrivateKey()
        var digest = SealDigest(number: 3, file: "audit.log", recordFormat: .json, reason: "roll", since: 1_700_000_000, time: 1_700_003_600,
                                intervalSeconds: 3600, keyID: key.publicKey.id, firstSeq: 11, lastSeq: 20, previousChain: .genesis,
                                lastChain: SealChain.genesis.next(covering: [1]),
                                ranges: [.init(name: "audit.log", start: 0, end: 100, firstSeq: 11, lastSeq: 20, previousChain: .genesis,
                                               lastChain: SealChain.genesis.next(covering: [1]), sha256: Array(repeating: 7, count: 32))],
                                restart: .init(time: 1_700_000_100, afterDigest: 2, clean: false, recoveredRecords: 4),
                                renamed: [.init(from: "audit.log", to: "audit.log.2023-11-14")], deleted: ["audit.log.2023-11-07"],
                                activeName: "audit.log", activeEnd: 0, previousDigest: "audit.log.digest-000002.json",
                                previousSignature: Array(repeating: 9, count: 64))
        let bytes = try digest.encode(signingWith: key)
        let decoded = try SealDigest.decode(bytes)
        #expect(decoded == digest)
        #expect(key.publicKey.isValidSignature(decoded.signature, for: decoded.signedBytes))
        let altered = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"number\":3", with: "\"number\":4").utf8)
        #expect(altered != bytes)
        let forged = try SealDigest.decode(altered)
        #expect(!key.publicKey.isValidSignature(forged.signature, for: forged.signedBytes))
        #expect(SealDigestName.parse(SealDigestName.make(file: "audit.log", number: 12))! == ("audit.log", 12))
        #expect(SealDigestName.parse("audit.log.2024-01-01") == nil)
    }
}

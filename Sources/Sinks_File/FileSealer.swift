#if canImport(Glibc)
import Glibc
#endif
import Collector
import Crypto
import Logging
import Seal

/// The sealing state of a `file` sink: the hash chain of its records and the digests that sign them.
///
/// Lives inside the sink's lock and is used only on the sink's queue. Records are framed with
/// `frame` (seq and chain appended, see `SealRecord`) and become part of the chain with `commit`,
/// only once written and fsync'd, so a failed batch leaves the chain as it was. The records written
/// since the last digest are one byte range of the open file; `writeDigest` signs it.
struct FileSealer {
    let key: SealPrivateKey
    let keyID: String
    let intervalSeconds: Int
    let format: SealRecord.Format
    let folder: String
    let file: String

    private(set) var seq: UInt64 = 0
    private(set) var chain = SealChain.genesis
    private(set) var number = 0
    private var lastSignature: [UInt8]?
    private var lastDigestName: String?
    private(set) var lastDigestTime = 0
    /// Whether the chain was picked up from the files (done once, at the first open).
    private(set) var loaded = false
    private var pendingStart = 0
    private var pendingBytes = 0
    private var pendingFirstSeq: UInt64 = 1
    private var pendingPreviousChain = SealChain.genesis
    private var hasher = SHA256()
    private var restart: SealDigest.Restart?

    init(configuration: FileSinkConfiguration.Seal, key: SealPrivateKey, format: EventFormat, path: String) {
        self.key = key
        self.keyID = key.publicKey.id
        self.intervalSeconds = configuration.digestIntervalSeconds
        if case .knox = format { self.format = .knox } else { self.format = .json }
        self.folder = FileIO.parent(of: path)
        self.file = FileIO.lastComponent(of: path)
    }

    /// A batch of records with their seals, not yet part of the chain.
    struct Framed {
        var bytes: [UInt8]
        var seq: UInt64
        var chain: SealChain
    }

    /// Appends seq and chain to each record (`records` holds them back to back, `ends` where each ends).
    func frame(_ records: [UInt8], ends: [Int]) -> Framed {
        var out: [UInt8] = []
        out.reserveCapacity(records.count + ends.count * 96)
        var start = 0
        var seq = self.seq
        var chain = self.chain
        for end in ends {
            let recordStart = out.count
            out.append(contentsOf: records[start..<end])
            seq += 1
            chain = SealRecord.seal(&out, recordStart: recordStart, format: format, seq: seq, previous: chain)
            start = end
        }
        return Framed(bytes: out, seq: seq, chain: chain)
    }

    /// Makes a framed batch, written and fsync'd, part of the chain.
    mutating func commit(_ framed: Framed) {
        hasher.update(data: framed.bytes)
        pendingBytes += framed.bytes.count
        seq = framed.seq
        chain = framed.chain
    }

    func isDue(now: Int) -> Bool { now - lastDigestTime >= intervalSeconds }

    var path: String { folder + "/" + file }

    // MARK: Start

    /// Before the open file is opened the first time: continues from the last digest, and finishes
    /// a roll that digest announced if a crash interrupted it.
    mutating func load(now: Int, logger: Logger) throws {
        lastDigestTime = now
        let names = (FileIO.list(folder) ?? []).compactMap { name -> (String, Int)? in
            guard let parsed = SealDigestName.parse(name), parsed.file == file else { return nil }
            return (name, parsed.number)
        }
        guard let (name, _) = names.max(by: { $0.1 < $1.1 }) else { return }
        let place = folder + "/" + name
        let digest: SealDigest
        do {
            guard let bytes = try FileIO.readAll(place) else { return }
            digest = try SealDigest.decode(bytes)
        } catch {
            throw CollectorError(.configuration, "seal: the last digest cannot be read (\(error)); run collector verify", context: place)
        }
        guard key.publicKey.isValidSignature(digest.signature, for: digest.signedBytes) else {
            throw CollectorError(.configuration, "seal: the last digest does not verify with the seal key (another key, or altered); run collector verify",
                                 context: place)
        }
        number = digest.number
        lastSignature = digest.signature
        lastDigestName = name
        lastDigestTime = digest.time
        seq = digest.lastSeq
        chain = digest.lastChain
        pendingStart = digest.activeEnd
        pendingFirstSeq = seq + 1
        pendingPreviousChain = chain
        restart = SealDigest.Restart(time: now, afterDigest: digest.number, clean: digest.reason == "shutdown", recoveredRecords: 0)
        if !digest.renamed.isEmpty, try rollIsUnfinished(digest) {
            logger.warning("finishing a file roll a crash interrupted", metadata: ["file": "\(path)", "digest": "\(name)"])
            try FileRollPlan(renames: digest.renamed.map { ($0.from, $0.to) }, deletions: digest.deleted).apply(in: folder)
        } else {
            for name in digest.deleted where FileIO.exists(folder + "/" + name) { unlink(folder + "/" + name) }
        }
    }

    /// A roll digest was written but the open file still ends with the last record it signs.
    private func rollIsUnfinished(_ digest: SealDigest) throws -> Bool {
        var info = stat()
        guard digest.lastSeq > 0, stat(path, &info) == 0, info.st_size > 0 else { return false }
        let tail = try Self.read(path, from: max(0, Int(info.st_size) - 65_536), to: Int(info.st_size))
        var lines = tail.split(separator: 0x0A, omittingEmptySubsequences: true)
        if tail.last != 0x0A { lines = lines.dropLast() }
        guard let line = lines.last, let trailer = SealRecord.parse(Array(line)) else { return false }
        return trailer.seq == digest.lastSeq && trailer.chain == digest.lastChain
    }

    /// After the open file was opened the first time (a partial last record already cut): checks the
    /// records after the last digest (written before a crash) and makes them part of the chain.
    /// Returns whether there were any (they are then signed at once).
    mutating func recover(size: Int, logger: Logger) throws -> Bool {
        loaded = true
        if size < pendingStart {
            throw CollectorError(.configuration, "seal: the file has \(size) bytes but the last digest signed \(pendingStart): "
                                 + "it was truncated; run collector verify", context: path)
        }
        guard size > pendingStart else { return false }
        let bytes = try Self.read(path, from: pendingStart, to: size)
        var count = 0
        var lineStart = 0
        var offset = pendingStart
        for index in bytes.indices where bytes[index] == 0x0A {
            let line = Array(bytes[lineStart..<index])
            guard let trailer = SealRecord.parse(line), trailer.seq == seq + 1,
                  chain.next(covering: Array(line[0..<trailer.coveredCount])) == trailer.chain else {
                if number == 0, seq == 0 {
                    throw CollectorError(.configuration, "seal: the file holds records that are not sealed (written before `seal` was set?): "
                                         + "move it away, sealing starts a new file", context: path)
                }
                throw CollectorError(.configuration, "seal: the record at byte \(offset) does not continue the chain of the last digest "
                                     + "(seq \(seq + 1) expected): the file was altered; run collector verify", context: path)
            }
            seq = trailer.seq
            chain = trailer.chain
            count += 1
            offset += line.count + 1
            lineStart = index + 1
        }
        hasher.update(data: bytes)
        pendingBytes = bytes.count
        restart?.recoveredRecords = count
        if count > 0 {
            logger.warning("found records written after the last digest (before a crash); signing them now",
                           metadata: ["file": "\(path)", "records": "\(count)"])
        }
        return count > 0
    }

    // MARK: Digests

    /// Signs the records since the last digest and writes the next digest file (atomically, 0640).
    /// `renamed`/`deleted`: the roll about to be done (the open file is then a new, empty one).
    mutating func writeDigest(reason: String, now: Int, renamed: [SealDigest.Rename] = [], deleted: [String] = []) throws {
        var ranges: [SealDigest.Range] = []
        if pendingBytes > 0 {
            ranges.append(SealDigest.Range(name: file, start: pendingStart, end: pendingStart + pendingBytes, firstSeq: pendingFirstSeq,
                                           lastSeq: seq, previousChain: pendingPreviousChain, lastChain: chain,
                                           sha256: Array(hasher.finalize())))
        }
        let activeEnd = renamed.isEmpty && !deleted.contains(file) ? pendingStart + pendingBytes : 0
        var digest = SealDigest(
            number: number + 1, file: file, recordFormat: format, reason: reason, since: lastDigestTime, time: now,
            intervalSeconds: intervalSeconds, keyID: keyID, firstSeq: pendingFirstSeq, lastSeq: seq,
            previousChain: pendingPreviousChain, lastChain: chain, ranges: ranges, restart: restart,
            renamed: renamed, deleted: deleted, activeName: file, activeEnd: activeEnd,
            previousDigest: lastDigestName, previousSignature: lastSignature)
        let bytes = try digest.encode(signingWith: key)
        let name = SealDigestName.make(file: file, number: number + 1)
        try FileIO.writeAtomically(bytes, to: folder + "/" + name, mode: 0o640)
        number += 1
        lastSignature = digest.signature
        lastDigestName = name
        lastDigestTime = now
        restart = nil
        pendingStart = activeEnd
        pendingBytes = 0
        pendingFirstSeq = seq + 1
        pendingPreviousChain = chain
        hasher = SHA256()
    }

    static func read(_ path: String, from start: Int, to end: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CollectorError(.io, "cannot open: \(FileIO.errorText())", isRetriable: true, context: path) }
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: end - start)
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(start + done)) }
            guard n > 0 else { throw CollectorError(.io, "cannot read: \(FileIO.errorText())", isRetriable: true, context: path) }
            done += n
        }
        return out
    }
}

import Crypto

/// Checks the records of one signed range (or of the unsigned tail) as the lines of a file go by.
///
/// Lines are given to the checker of the range their `seq` belongs to, so a record inserted or
/// deleted in one range does not shift the others. Each record's chain is checked against its
/// predecessor's (by seq: a swapped pair is reported as reordered, not as two modified records);
/// seqs never seen are deleted (or truncated when at the end of the file); a duplicate seq is an
/// inserted record. When no single record is at fault but the range's SHA-256 or its last chain
/// differ from the signed ones, the records were altered and the chain re-computed without the key.
final class SealRangeChecker {
    let range: SealDigest.Range?
    let digestName: String
    let path: String
    let kind: SealFinding.Kind
    let first: UInt64
    var findings: [SealFinding] = []
    var records = 0
    var firstLine: Int?
    var lastLine: Int?

    private var previousSeq: UInt64
    private var previousChain: SealChain
    /// The chain computed for the previous record (differs from the stored one when that was modified).
    private var previousComputed: SealChain?
    private var maxSeq: UInt64
    private var seen: [UInt64] = []
    private var gaps: [(from: UInt64, to: UInt64, line: Int)] = []
    private var recent: [(seq: UInt64, chain: SealChain)] = []
    private var waiting: [UInt64: [(line: Int, chain: SealChain, covered: [UInt8])]] = [:]
    private var hasher = SHA256()
    private let initialChain: SealChain
    private(set) var lastChain: SealChain?
    private(set) var lastSeenSeq: UInt64?

    /// A signed range of `digestName`.
    init(range: SealDigest.Range, digestName: String, path: String) {
        self.range = range
        self.digestName = digestName
        self.path = path
        self.kind = .problem
        self.first = range.firstSeq
        previousSeq = range.firstSeq &- 1
        previousChain = range.previousChain
        initialChain = range.previousChain
        maxSeq = previousSeq
    }

    /// The records after the last digest, which continue `chain` from `seq`.
    init(unsignedAfter seq: UInt64, chain: SealChain, path: String) {
        range = nil
        digestName = ""
        self.path = path
        kind = .unsigned
        first = seq &+ 1
        previousSeq = seq
        previousChain = chain
        initialChain = chain
        maxSeq = seq
    }

    func contains(_ seq: UInt64) -> Bool {
        guard let range else { return seq >= first }
        return seq >= range.firstSeq && seq <= range.lastSeq
    }

    func problem(_ line: Int?, _ message: String, lastLine: Int? = nil) {
        // Problems in the unsigned tail are problems too: its chain must hold.
        findings.append(SealFinding(.problem, path: path, line: line, lastLine: lastLine, message))
    }

    /// A line that is not a sealed record, or whose seq belongs nowhere, counted against this range.
    func foreign(_ line: Int, _ message: String) {
        problem(line, message)
    }

    func add(_ lineBytes: UnsafeRawBufferPointer, line: Int, trailer: SealRecord.Trailer) {
        if range != nil {
            hasher.update(bufferPointer: lineBytes)
            var newline: UInt8 = 0x0A
            withUnsafeBytes(of: &newline) { hasher.update(bufferPointer: $0) }
        }
        records += 1
        if firstLine == nil { firstLine = line }
        lastLine = line
        let seq = trailer.seq
        let index = Int(seq - first)
        if isSeen(index) {
            problem(line, "inserted record: a second record with seq \(seq) (a copy of an earlier line?)")
            return
        }
        markSeen(index)
        let covered = UnsafeRawBufferPointer(rebasing: lineBytes[0..<trailer.coveredCount])
        if seq == previousSeq &+ 1 {
            let computed = previousChain.next(covering: covered)
            var valid = computed == trailer.chain
            if !valid, let previousComputed, previousComputed != previousChain {
                valid = previousComputed.next(covering: covered) == trailer.chain
            }
            if !valid {
                if seq == first, let range {
                    problem(line, "seq \(seq) does not continue the chain signed in \(digestName) for the record before it "
                            + "(seq \(range.firstSeq &- 1)): this record was changed, or the chain before it re-computed without the key")
                } else {
                    problem(line, "modified record: seq \(seq) does not match its chain (its bytes were changed)")
                }
            }
            previousComputed = computed
        } else {
            if seq > maxSeq &+ 1 { gaps.append((maxSeq &+ 1, seq &- 1, line)) }
            if seq <= maxSeq {
                problem(line, "reordered record: seq \(seq) comes after seq \(maxSeq)")
            }
            if seq == first {
                if initialChain.next(covering: covered) != trailer.chain {
                    problem(line, "modified record: seq \(seq) does not match its chain (its bytes were changed)")
                }
            } else if let before = recent.last(where: { $0.seq == seq &- 1 }) {
                if before.chain.next(covering: covered) != trailer.chain {
                    problem(line, "modified record: seq \(seq) does not match its chain (its bytes were changed)")
                }
            } else if waiting.count < 100_000 {
                waiting[seq &- 1, default: []].append((line, trailer.chain, Array(covered)))
            }
            previousComputed = nil
        }
        if let parked = waiting.removeValue(forKey: seq) {
            for record in parked where trailer.chain.next(covering: record.covered) != record.chain {
                problem(record.line, "modified record: seq \(seq &+ 1) does not match its chain (its bytes were changed)")
            }
        }
        recent.append((seq, trailer.chain))
        if recent.count > 256 { recent.removeFirst(128) }
        previousSeq = seq
        previousChain = trailer.chain
        maxSeq = max(maxSeq, seq)
        if let range, seq == range.lastSeq { lastChain = trailer.chain }
        if range == nil { lastChain = trailer.chain; lastSeenSeq = seq }
    }


    /// Ends the range: reports missing records and, when no record is at fault, a range whose bytes
    /// differ from the signed ones. `fileEnded`: no later line of the file belonged to another range.
    func finish(lastLineOfFile: Int, fileEnded: Bool) {
        var missing: [(from: UInt64, to: UInt64, line: Int?)] = []
        for gap in gaps {
            var runStart: UInt64?
            var seq = gap.from
            while seq <= gap.to {
                if !isSeen(Int(seq - first)) {
                    if runStart == nil { runStart = seq }
                } else if let start = runStart {
                    missing.append((start, seq - 1, gap.line))
                    runStart = nil
                }
                seq += 1
            }
            if let start = runStart { missing.append((start, gap.to, gap.line)) }
        }
        if let range, maxSeq < range.lastSeq {
            missing.append((maxSeq &+ 1, range.lastSeq, nil))
        }
        for run in missing {
            let seqs = run.from == run.to ? "record seq \(run.from) is" : "records seq \(run.from)-\(run.to) are"
            if let line = run.line {
                problem(line, "deleted: \(seqs) missing before this line")
            } else if fileEnded {
                problem(lastLineOfFile, "truncated: \(seqs) missing at the end of the file (signed by \(digestName))")
            } else {
                problem(lastLine ?? lastLineOfFile, "deleted: \(seqs) missing after this line (signed by \(digestName))")
            }
        }
        guard let range, findings.isEmpty else { return }
        let sha = Array(hasher.finalize())
        if sha != range.sha256 || lastChain != range.lastChain {
            problem(firstLine, "records seq \(range.firstSeq)-\(range.lastSeq) do not match \(digestName) (SHA-256 and chain differ from the signed ones): "
                    + "they were altered and their chain re-computed without the key", lastLine: lastLine)
        }
    }

    private func isSeen(_ index: Int) -> Bool {
        guard index >= 0, index / 64 < seen.count else { return false }
        return seen[index / 64] & (1 << UInt64(index % 64)) != 0
    }

    private func markSeen(_ index: Int) {
        while index / 64 >= seen.count { seen.append(0) }
        seen[index / 64] |= 1 << UInt64(index % 64)
    }
}

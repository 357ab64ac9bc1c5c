#if canImport(Glibc)
import Glibc
#endif
import Collector

/// Verifies one sealed file name (`audit.log`): its digests, its rolled files and its open file.
struct SealFileVerifier {
    let publicKey: SealPublicKey
    let folder: String
    let file: String

    /// A file as the digests know it, followed through renames.
    final class TrackedFile {
        var name: String
        var ranges: [(range: SealDigest.Range, digest: String)] = []
        var retired = false
        init(name: String) { self.name = name }
    }

    func path(_ name: String) -> String { folder + "/" + name }

    func run(into report: inout SealReport) {
        let names = FileIO.list(folder) ?? []
        let digests = readDigests(names, &report)
        guard let last = digests.last?.digest else {
            report.findings.append(SealFinding(.problem, path: path(file), "no readable digest for this file"))
            return
        }
        // Follow every file through the digests' renames and deletions.
        var active: [String: TrackedFile] = [:]
        var tracked: [TrackedFile] = []
        for (name, digest) in digests {
            for range in digest.ranges {
                let entry = active[range.name] ?? {
                    let created = TrackedFile(name: range.name)
                    tracked.append(created)
                    active[range.name] = created
                    return created
                }()
                entry.ranges.append((range, name))
            }
            for rename in digest.renamed {
                guard let moved = active.removeValue(forKey: rename.from) else { continue }
                active[rename.to]?.retired = true
                moved.name = rename.to
                active[rename.to] = moved
            }
            for deleted in digest.deleted { active.removeValue(forKey: deleted)?.retired = true }
        }
        let lastName = SealDigestName.make(file: file, number: last.number)
        var checkedNames = Set<String>()
        // A roll the last digest announced and a stop (kill -9) interrupted: the file still has its old name.
        var unfinished: [String: String] = [:]
        for rename in last.renamed where !FileIO.exists(path(rename.to)) && FileIO.exists(path(rename.from)) {
            unfinished[rename.to] = rename.from
        }
        for entry in tracked where !entry.retired {
            if let old = unfinished[entry.name] {
                checkedNames.insert(old)
                report.findings.append(SealFinding(.interrupted, path: path(old), "the roll to \(entry.name) announced by \(lastName) "
                    + "was not done (the collector stopped during a roll; its next start finishes it)"))
                scan(old, ranges: entry.ranges, unsignedAfter: nil, lastDigestName: lastName, &report)
                continue
            }
            checkedNames.insert(entry.name)
            let isOpenFile = entry.name == file
            if !FileIO.exists(path(entry.name)) {
                let first = entry.ranges.first!, end = entry.ranges.last!
                report.findings.append(SealFinding(.problem, path: path(entry.name),
                    "deleted file: records seq \(first.range.firstSeq)-\(end.range.lastSeq), signed by \(first.digest) to \(end.digest), are gone"))
                continue
            }
            scan(entry.name, ranges: entry.ranges, unsignedAfter: isOpenFile ? last : nil, lastDigestName: lastName, &report)
        }
        report.filesDeletedByRotation += tracked.filter(\.retired).count
        if active[file] == nil || active[file]!.retired, !checkedNames.contains(file), FileIO.exists(path(file)) {
            checkedNames.insert(file)
            scan(file, ranges: [], unsignedAfter: last, lastDigestName: lastName, &report)
        }
        for name in names.sorted() where (name == file || name.hasPrefix(file + ".")) && !checkedNames.contains(name)
            && SealDigestName.parse(name) == nil && !name.contains(".tmp-") {
            report.findings.append(SealFinding(.problem, path: path(name),
                "not covered by any digest: an inserted file, or one this sealed sink did not write"))
        }
    }

    /// Reads, checks and orders the digests; reports missing, re-ordered, foreign-key and unchained ones.
    func readDigests(_ names: [String], _ report: inout SealReport) -> [(name: String, digest: SealDigest)] {
        var read: [(name: String, digest: SealDigest)] = []
        for name in names.sorted() {
            guard let parsed = SealDigestName.parse(name), parsed.file == file else { continue }
            let place = path(name)
            let digest: SealDigest
            do {
                guard let bytes = try FileIO.readAll(place) else { continue }
                digest = try SealDigest.decode(bytes)
            } catch {
                report.findings.append(SealFinding(.problem, path: place, "unreadable digest: \(error)"))
                continue
            }
            if !publicKey.isValidSignature(digest.signature, for: digest.signedBytes) {
                if digest.keyID != publicKey.id {
                    report.findings.append(SealFinding(.problem, path: place,
                        "signed with another key (key id \(digest.keyID); the public key given has id \(publicKey.id))"))
                } else {
                    report.findings.append(SealFinding(.problem, path: place,
                        "the signature does not verify: the digest was altered, or re-signed by someone without the key"))
                }
            }
            if digest.number != parsed.number {
                report.findings.append(SealFinding(.problem, path: place,
                    "re-ordered digest: this file holds digest \(digest.number), not \(parsed.number) (digests were renamed or swapped)"))
            }
            if digest.file != file {
                report.findings.append(SealFinding(.problem, path: place, "this digest is for \(digest.file), not \(file)"))
            }
            read.append((name, digest))
        }
        read.sort { $0.digest.number != $1.digest.number ? $0.digest.number < $1.digest.number : $0.name < $1.name }
        var ordered: [(name: String, digest: SealDigest)] = []
        var expected = 1
        for (name, digest) in read {
            if let previous = ordered.last, previous.digest.number == digest.number {
                report.findings.append(SealFinding(.problem, path: path(name), "a second digest numbered \(digest.number) (see \(previous.name))"))
                continue
            }
            if digest.number > expected {
                let missing = expected == digest.number - 1 ? "digest \(expected) is" : "digests \(expected)-\(digest.number - 1) are"
                report.findings.append(SealFinding(.problem, path: path(SealDigestName.make(file: file, number: expected)),
                    "missing digest: \(missing) gone (the next one is \(name))"))
            }
            if let previous = ordered.last, previous.digest.number == digest.number - 1 {
                if digest.previousSignature != previous.digest.signature {
                    report.findings.append(SealFinding(.problem, path: path(name),
                        "does not chain to \(previous.name): its previous_signature differs (a digest was replaced, re-ordered or forged)"))
                } else if digest.firstSeq != previous.digest.lastSeq &+ 1 || digest.previousChain != previous.digest.lastChain {
                    report.findings.append(SealFinding(.problem, path: path(name), "does not continue the records of \(previous.name) (seq or chain)"))
                }
            } else if digest.number == 1, digest.previousSignature != nil || digest.firstSeq != 1 || digest.previousChain != .genesis {
                report.findings.append(SealFinding(.problem, path: path(name), "digest 1 does not start the chain (earlier records or digests are missing)"))
            }
            expected = digest.number + 1
            ordered.append((name, digest))
            report.digests += 1
            report.since = min(report.since ?? digest.since, digest.since)
            report.until = max(report.until ?? digest.time, digest.time)
            if let restart = digest.restart {
                report.restarts += 1
                if !restart.clean { report.uncleanRestarts += 1 }
            }
        }
        return ordered
    }

    /// Reads one file, handing each record to the checker of the range its seq belongs to.
    func scan(_ name: String, ranges: [(range: SealDigest.Range, digest: String)], unsignedAfter last: SealDigest?,
              lastDigestName: String, _ report: inout SealReport) {
        let place = path(name)
        let checkers = ranges.sorted { $0.range.firstSeq < $1.range.firstSeq }
            .map { SealRangeChecker(range: $0.range, digestName: $0.digest, path: place) }
        let tail = last.map { SealRangeChecker(unsignedAfter: $0.lastSeq, chain: $0.lastChain, path: place) }
        var findings: [SealFinding] = []
        var current: SealRangeChecker?
        var lastLine = 0
        var maxSeq: UInt64 = 0
        let size: Int
        do {
            size = try SealLineReader.forEachLine(place) { bytes, line in
                lastLine = line.number
                if !line.complete {
                    let message = "partial record at the end of the file (an interrupted write, which the collector cuts at its next start, or a truncation)"
                    findings.append(SealFinding(tail != nil && (current === tail || current == nil) ? .unsigned : .problem, path: place, line: line.number, message))
                    return
                }
                guard let trailer = SealRecord.parse(bytes) else {
                    let message = "not a sealed record (an inserted line, or a record whose seal was damaged)"
                    if let owner = current ?? checkers.first ?? tail { owner.foreign(line.number, message) } else {
                        findings.append(SealFinding(.problem, path: place, line: line.number, message))
                    }
                    return
                }
                maxSeq = max(maxSeq, trailer.seq)
                let owner = Self.owner(of: trailer.seq, checkers) ?? (tail?.contains(trailer.seq) == true ? tail : nil)
                guard let owner else {
                    let message = "inserted record: seq \(trailer.seq) is not signed for this file"
                    if let current { current.foreign(line.number, message) } else {
                        findings.append(SealFinding(.problem, path: place, line: line.number, message))
                    }
                    return
                }
                owner.add(bytes, line: line.number, trailer: trailer)
                current = owner
            }
        } catch {
            report.findings.append(SealFinding(.problem, path: place, "cannot read: \(error)"))
            return
        }
        report.files += 1
        report.bytes += size
        for checker in checkers {
            checker.finish(lastLineOfFile: lastLine, fileEnded: maxSeq <= checker.range!.lastSeq)
            findings += checker.findings
            report.records += checker.records
            if checker.records > 0 {
                report.firstSeq = min(report.firstSeq ?? checker.range!.firstSeq, checker.range!.firstSeq)
                report.lastSeq = max(report.lastSeq ?? checker.range!.lastSeq, checker.range!.lastSeq)
            }
        }
        if let tail, let last {
            tail.finish(lastLineOfFile: lastLine, fileEnded: true)
            findings += tail.findings
            report.records += tail.records
            if tail.records > 0, let firstLine = tail.firstLine, let lastSeen = tail.lastSeenSeq {
                report.lastSeq = max(report.lastSeq ?? lastSeen, lastSeen)
                findings.append(SealFinding(.unsigned, path: place, line: firstLine, lastLine: tail.lastLine,
                    "\(tail.records) records (seq \(last.lastSeq + 1)-\(lastSeen)) are chained but no digest signs them: written after "
                    + "\(lastDigestName) (\(SealDigest.timeText(last.time))) by a collector that is running, or was killed before its next digest, "
                    + "or later digests were deleted"))
            }
        }
        findings.sort { ($0.line ?? 0, $0.kind == .unsigned ? 1 : 0) < ($1.line ?? 0, $1.kind == .unsigned ? 1 : 0) }
        report.findings += findings
    }

    static func owner(of seq: UInt64, _ checkers: [SealRangeChecker]) -> SealRangeChecker? {
        var low = 0
        var high = checkers.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = checkers[middle].range!
            if seq < range.firstSeq { high = middle - 1 } else if seq > range.lastSeq { low = middle + 1 } else { return checkers[middle] }
        }
        return nil
    }
}

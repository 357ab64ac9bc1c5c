#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads KNIME Server lifecycle lines from Tomcat log lines, byte by byte, without regular
/// expressions and without making a `String` from a line it does not need.
///
/// Every line shape of interest is recognised from its **end**: `finished with state <STATE>`,
/// `(UUID <uuid>)`, `for user '<user>'`, `executor '<id>'`, `via executor group '<group>'`. Values
/// are then found by anchoring on the job UUID, never on token positions, so job names and owners may
/// hold spaces and parentheses. Tab-indented stack-trace lines are rejected by their first byte.
/// Text is decoded with the configured encoding only on lines that carry a marker; a job-finished
/// line is read whenever its job id and state are there (bytes not valid UTF-8 become U+FFFD and the
/// record says so; a timestamp that does not parse leaves `timestamp` nil).
enum KnimeLineParser {
    /// Classifies `p[0..<count]` (one line without its newline).
    ///
    /// `known` tells whether a job's path and name were read before: mentions of known jobs then
    /// skip making those strings again (the hot path of a busy server's log).
    static func parse(_ p: UnsafePointer<UInt8>, count rawCount: Int, encoding: KnimeLogEncoding = .utf8,
                      known: (JobKey) -> Bool = { _ in false }) -> LineVerdict {
        var count = rawCount
        while count > 0, p[count - 1] == 0x0D || p[count - 1] == 0x20 { count -= 1 }
        guard count >= 40, p[0] != 0x09 else { return .unrelated }
        let last = p[count - 1]
        if last >= UInt8(ascii: "A") && last <= UInt8(ascii: "Z") || last == UInt8(ascii: "_") {
            return finishedLine(p, count: count, encoding: encoding)
        }
        if last == UInt8(ascii: ")") {
            return uuidLine(p, count: count, encoding: encoding, known: known)
        }
        if last == UInt8(ascii: "'") {
            return quotedLine(p, count: count, encoding: encoding, known: known)
        }
        return .unrelated
    }

    /// The bytes of `text` as a line, for tests and tools.
    static func parse(_ text: String) -> LineVerdict {
        parse(Array(text.utf8))
    }

    static func parse(_ bytes: [UInt8], encoding: KnimeLogEncoding = .utf8, known: (JobKey) -> Bool = { _ in false }) -> LineVerdict {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return .unrelated }
            return parse(base, count: buffer.count, encoding: encoding, known: known)
        }
    }

    // MARK: Job finished

    private static func finishedLine(_ p: UnsafePointer<UInt8>, count: Int, encoding: KnimeLogEncoding) -> LineVerdict {
        var stateStart = count - 1
        while stateStart > 0, count - stateStart < 48 {
            let byte = p[stateStart - 1]
            guard byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") || byte == UInt8(ascii: "_") else { break }
            stateStart -= 1
        }
        let marker = stateStart - 20
        guard marker > 0, ByteScan.matches(p, at: marker, "finished with state ") else { return .unrelated }
        // `(<uuid>) of owner <owner>` before the marker: search backwards for `) of owner ` preceded by `(uuid`.
        var searchEnd = marker
        var close = -1
        while let hit = ByteScan.findLast(p, from: 40, to: searchEnd, ") of owner ") {
            if p[hit - 37] == UInt8(ascii: "("), ByteScan.isUUID(p, at: hit - 36) { close = hit; break }
            searchEnd = hit + 10
        }
        guard close > 0 else { return .malformed("job-finished line without `(<job id>) of owner`") }
        let text = LineText(p, count: count, encoding: encoding)
        let stamp = TomcatTimestamp.parse(p, count: count)
        let stampLength = stamp?.length ?? 0
        let openParen = close - 37
        let ownerStart = close + 11
        let nameEnd = p[openParen - 1] == UInt8(ascii: " ") ? openParen - 1 : openParen
        let messageStart = threadEnd(p, count: count, from: stampLength) ?? stampLength
        let nameStart = ByteScan.find(p, from: messageStart, to: nameEnd, "Job: ").map { $0 + 5 } ?? nameEnd
        return .record(.finished(JobFinished(
            timestamp: stamp,
            timestampText: text.string(p, 0, stampLength),
            jobId: ByteScan.string(p, close - 36, close),
            job: JobKey(p, at: close - 36),
            jobName: text.string(p, nameStart, nameEnd),
            owner: text.string(p, ownerStart, marker - 1),
            state: ByteScan.string(p, stateStart, count),
            replacedInvalidUTF8: text.replaced)))
    }

    // MARK: Lines ending in (UUID …)

    private static func uuidLine(_ p: UnsafePointer<UInt8>, count: Int, encoding: KnimeLogEncoding, known: (JobKey) -> Bool) -> LineVerdict {
        let open = count - 43
        guard open > 0, ByteScan.matches(p, at: open, "(UUID "), ByteScan.isUUID(p, at: open + 6) else { return .unrelated }
        let key = JobKey(p, at: open + 6)
        if ByteScan.find(p, from: 0, to: open, "Discarding job '") != nil {
            return .record(.discarded(key))
        }
        if known(key) { return .unrelated } // path and name are known; the line adds nothing
        let text = LineText(p, count: count, encoding: encoding)
        guard let mention = jobMention(p, count: open, text: text, executor: nil, thread: nil, known: known) else { return .unrelated }
        return .record(.jobMention(mention))
    }

    // MARK: Lines ending in a quoted value

    private static func quotedLine(_ p: UnsafePointer<UInt8>, count: Int, encoding: KnimeLogEncoding, known: (JobKey) -> Bool) -> LineVerdict {
        // The opening quote of the last quoted value (values are short: user names, executor ids).
        var open = count - 2
        let floor = max(0, count - 1024)
        while open > floor, p[open] != UInt8(ascii: "'") { open -= 1 }
        guard p[open] == UInt8(ascii: "'"), open >= 11 else { return .unrelated }
        if ByteScan.matches(p, at: open - 10, " for user ") {
            guard let start = ByteScan.find(p, from: 0, to: open, "Loading workflow '") else { return .unrelated }
            let text = LineText(p, count: count, encoding: encoding)
            let pathStart = start + 18
            let pathEnd = open - 11
            guard pathEnd > pathStart, p[pathEnd] == UInt8(ascii: "'") else { return .unrelated }
            let stampLength = TomcatTimestamp.parse(p, count: count)?.length ?? 0
            let thread = threadName(p, count: count, from: stampLength, text: text) ?? ""
            return .record(.loadWorkflow(thread: thread, path: text.string(p, pathStart, pathEnd),
                                         user: text.string(p, open + 1, count - 1)))
        }
        let executorLine = open >= 10 && ByteScan.matches(p, at: open - 9, "executor ")
        let groupLine = open >= 16 && ByteScan.matches(p, at: open - 15, "executor group ")
        guard executorLine || groupLine else { return .unrelated }
        let text = LineText(p, count: count, encoding: encoding)
        let thread = groupLine ? threadName(p, count: count, from: TomcatTimestamp.parse(p, count: count)?.length ?? 0, text: text) : nil
        let executor = executorLine ? text.string(p, open + 1, count - 1) : nil
        guard let mention = jobMention(p, count: open, text: text, executor: executor, thread: thread, known: known) else { return .unrelated }
        return .record(.jobMention(mention))
    }

    // MARK: Shared pieces

    /// Finds `'<path> (<name>; <uuid>)'` in `p[0..<count]`: anchored on `; <uuid>)'`.
    private static func jobMention(_ p: UnsafePointer<UInt8>, count: Int, text: LineText, executor: String?, thread: String?,
                                   known: (JobKey) -> Bool) -> JobMention? {
        // The descriptor starts after the first quote that follows `job ` or `workflow `.
        var quoteStart = -1
        var search = 0
        while search < count, let hit = memchr(p + search, Int32(UInt8(ascii: "'")), count - search) {
            let quote = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(hit))
            if quote >= 4, ByteScan.matches(p, at: quote - 4, "job ") { quoteStart = quote + 1; break }
            if quote >= 9, ByteScan.matches(p, at: quote - 9, "workflow ") { quoteStart = quote + 1; break }
            search = quote + 1
        }
        guard quoteStart > 0 else { return nil }
        var from = quoteStart + 38
        while let close = ByteScan.find(p, from: from, to: count, ")'") {
            let uuidStart = close - 36
            if ByteScan.matches(p, at: uuidStart - 2, "; "), ByteScan.isUUID(p, at: uuidStart) {
                let inner = uuidStart - 2 // end of `<path> (<name>`
                let key = JobKey(p, at: uuidStart)
                if known(key) {
                    return JobMention(job: key, path: nil, jobName: nil, executor: executor, thread: thread)
                }
                guard let split = pathNameSplit(p, from: quoteStart, to: inner) else { return nil }
                return JobMention(job: key,
                                  path: text.string(p, quoteStart, split),
                                  jobName: text.string(p, split + 2, inner),
                                  executor: executor, thread: thread)
            }
            from = close + 2
        }
        return nil
    }

    /// Where ` (` separates the workflow path from the job name in `p[from..<to]`. Paths and names may
    /// both hold ` (`; the split whose name starts with the path's last segment (KNIME names jobs
    /// `<workflow> <date>`) wins, else the first.
    private static func pathNameSplit(_ p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        var candidates: [Int] = []
        var index = from
        while let hit = ByteScan.find(p, from: index, to: to, " (") {
            candidates.append(hit)
            index = hit + 2
        }
        guard let first = candidates.first else { return nil }
        for split in candidates {
            var segmentStart = split
            while segmentStart > from, p[segmentStart - 1] != UInt8(ascii: "/") { segmentStart -= 1 }
            let segmentLength = split - segmentStart
            if segmentLength > 0, split + 2 + segmentLength <= to,
               memcmp(p + segmentStart, p + split + 2, segmentLength) == 0 { return split }
        }
        return first
    }

    /// The index just after the thread's `] ` (the start of `class.method message`).
    private static func threadEnd(_ p: UnsafePointer<UInt8>, count: Int, from: Int) -> Int? {
        guard let open = ByteScan.find(p, from: from, to: min(count, from + 16), " [") else { return nil }
        return ByteScan.find(p, from: open + 2, to: count, "] ").map { $0 + 2 }
    }

    private static func threadName(_ p: UnsafePointer<UInt8>, count: Int, from: Int, text: LineText) -> String? {
        guard let open = ByteScan.find(p, from: from, to: min(count, from + 16), " ["),
              let close = ByteScan.find(p, from: open + 2, to: count, "] ") else { return nil }
        return text.string(p, open + 2, close)
    }
}

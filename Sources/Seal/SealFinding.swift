/// One thing `collector verify` reports, with the file and line it concerns.
public struct SealFinding: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Tampering or damage: the files do not match what the digests signed.
        case problem
        /// Records that are chained but not signed by any digest yet (written after the last digest).
        case unsigned
        /// A roll a stop interrupted: the digests are right, a file still has its old name.
        case interrupted
    }

    public var kind: Kind
    public var path: String
    /// 1-based line, or the first line of a span.
    public var line: Int?
    public var lastLine: Int?
    public var message: String

    public init(_ kind: Kind, path: String, line: Int? = nil, lastLine: Int? = nil, _ message: String) {
        self.kind = kind
        self.path = path
        self.line = line
        self.lastLine = lastLine
        self.message = message
    }

    /// `path:line: message` (or `path:first-last:`), as compilers and grep print places.
    public var description: String {
        var place = path
        if let line {
            place += ":\(line)"
            if let lastLine, lastLine != line { place += "-\(lastLine)" }
        }
        let prefix = kind == .unsigned ? "not signed yet: " : kind == .interrupted ? "interrupted: " : ""
        return "\(place): \(prefix)\(message)"
    }
}

/// What `SealVerifier` found, and what it covered.
public struct SealReport: Sendable {
    public var findings: [SealFinding] = []
    public var files = 0
    public var records = 0
    public var bytes = 0
    public var digests = 0
    public var restarts = 0
    public var uncleanRestarts = 0
    public var filesDeletedByRotation = 0
    public var since: Int?
    public var until: Int?
    public var firstSeq: UInt64?
    public var lastSeq: UInt64?

    public init() {}

    public var problems: [SealFinding] { findings.filter { $0.kind == .problem } }
    /// Records not signed yet, and rolls interrupted by a stop: not tampering, not finished either.
    public var unsigned: [SealFinding] { findings.filter { $0.kind != .problem } }

    /// Whether everything verified and every record is signed (or `allowUnsigned`).
    public func isClean(allowUnsigned: Bool = false) -> Bool {
        problems.isEmpty && (allowUnsigned || unsigned.isEmpty)
    }

    /// One paragraph: files, records, digests, restarts and the time covered.
    public var summary: String {
        var text = "\(files) files, \(records) records"
        if let firstSeq, let lastSeq { text += " (seq \(firstSeq)-\(lastSeq))" }
        text += ", \(bytes) bytes, \(digests) digests"
        if restarts > 0 { text += ", \(restarts) restarts (\(uncleanRestarts) after a crash)" }
        if filesDeletedByRotation > 0 { text += ", \(filesDeletedByRotation) files deleted by rotation (signed)" }
        if let since, let until { text += "; time covered \(SealDigest.timeText(since)) to \(SealDigest.timeText(until))" }
        return text
    }
}

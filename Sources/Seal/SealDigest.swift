import Collector

/// One signed digest: what a sealed sink wrote since the previous digest (CloudTrail's model).
///
/// Written as JSON, one key per line, keys in the fixed order of `encode`. The signature is the last
/// key: it is the Ed25519 signature of every byte of the file before its 128 hex digits, so the
/// bytes themselves are signed and no canonical JSON is needed to check it.
public struct SealDigest: Sendable, Equatable {
    public static let formatName = "collector-seal-digest/1"

    /// A byte range of one audit file and the records in it.
    public struct Range: Sendable, Equatable {
        /// The file's name (in the sink's folder) when the digest was written.
        public var name: String
        public var start: Int
        public var end: Int
        public var firstSeq: UInt64
        public var lastSeq: UInt64
        /// The chain of the record before `firstSeq`.
        public var previousChain: SealChain
        public var lastChain: SealChain
        /// SHA-256 of bytes `start..<end`.
        public var sha256: [UInt8]

        public init(name: String, start: Int, end: Int, firstSeq: UInt64, lastSeq: UInt64,
                    previousChain: SealChain, lastChain: SealChain, sha256: [UInt8]) {
            self.name = name
            self.start = start
            self.end = end
            self.firstSeq = firstSeq
            self.lastSeq = lastSeq
            self.previousChain = previousChain
            self.lastChain = lastChain
            self.sha256 = sha256
        }
    }

    /// A start of the sink that found an earlier chain to continue.
    public struct Restart: Sendable, Equatable {
        public var time: Int
        /// The number of the last digest found at start.
        public var afterDigest: Int
        /// Whether that digest was written at a clean shutdown.
        public var clean: Bool
        /// Records found after that digest (written before a crash), signed by this digest.
        public var recoveredRecords: Int

        public init(time: Int, afterDigest: Int, clean: Bool, recoveredRecords: Int) {
            self.time = time
            self.afterDigest = afterDigest
            self.clean = clean
            self.recoveredRecords = recoveredRecords
        }
    }

    /// A rename done by a file roll, after this digest was written (`to` is replaced if it exists).
    public struct Rename: Sendable, Equatable {
        public var from: String
        public var to: String
        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    public var number: Int
    /// The sink's file name (the last component of its `path`).
    public var file: String
    public var recordFormat: SealRecord.Format
    /// `interval`, `roll`, `shutdown` or `restart`.
    public var reason: String
    /// Seconds since the epoch: the previous digest's time (or the start of sealing) and now.
    public var since: Int
    public var time: Int
    public var intervalSeconds: Int
    public var keyID: String
    /// The records signed: `firstSeq...lastSeq` (empty when `firstSeq == lastSeq + 1`).
    public var firstSeq: UInt64
    public var lastSeq: UInt64
    public var previousChain: SealChain
    public var lastChain: SealChain
    public var ranges: [Range]
    public var restart: Restart?
    /// A roll done after writing this digest: renames in order, then deletions (`keep`).
    public var renamed: [Rename]
    public var deleted: [String]
    /// The sink's open file after the roll, and how many of its bytes this digest signs.
    public var activeName: String
    public var activeEnd: Int
    public var previousDigest: String?
    public var previousSignature: [UInt8]?
    /// Set by `decode`: the signature and the bytes it signs.
    public var signature: [UInt8] = []
    public var signedBytes: [UInt8] = []

    public init(number: Int, file: String, recordFormat: SealRecord.Format, reason: String, since: Int, time: Int,
                intervalSeconds: Int, keyID: String, firstSeq: UInt64, lastSeq: UInt64, previousChain: SealChain,
                lastChain: SealChain, ranges: [Range], restart: Restart?, renamed: [Rename], deleted: [String],
                activeName: String, activeEnd: Int, previousDigest: String?, previousSignature: [UInt8]?) {
        self.number = number
        self.file = file
        self.recordFormat = recordFormat
        self.reason = reason
        self.since = since
        self.time = time
        self.intervalSeconds = intervalSeconds
        self.keyID = keyID
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.previousChain = previousChain
        self.lastChain = lastChain
        self.ranges = ranges
        self.restart = restart
        self.renamed = renamed
        self.deleted = deleted
        self.activeName = activeName
        self.activeEnd = activeEnd
        self.previousDigest = previousDigest
        self.previousSignature = previousSignature
    }

    /// The digest file's bytes, signed with `key` (also sets `signature` and `signedBytes`).
    public mutating func encode(signingWith key: SealPrivateKey) throws -> [UInt8] {
        var out: [UInt8] = []
        func line(_ key: String, _ value: String) {
            out += Array("\"\(key)\":\(value),\n".utf8)
        }
        out += Array("{\n".utf8)
        line("format", Self.quoted(Self.formatName))
        line("number", String(number))
        line("file", Self.quoted(file))
        line("record_format", Self.quoted(recordFormat.rawValue))
        line("reason", Self.quoted(reason))
        line("since", Self.quoted(Self.timeText(since)))
        line("time", Self.quoted(Self.timeText(time)))
        line("interval_s", String(intervalSeconds))
        line("key_id", Self.quoted(keyID))
        line("first_seq", String(firstSeq))
        line("last_seq", String(lastSeq))
        line("previous_chain", Self.quoted(previousChain.hex))
        line("last_chain", Self.quoted(lastChain.hex))
        let ranges = self.ranges.map { range in
            "{\"name\":\(Self.quoted(range.name)),\"start\":\(range.start),\"end\":\(range.end),"
                + "\"first_seq\":\(range.firstSeq),\"last_seq\":\(range.lastSeq),"
                + "\"previous_chain\":\"\(range.previousChain.hex)\",\"last_chain\":\"\(range.lastChain.hex)\","
                + "\"sha256\":\"\(SealHex.encode(range.sha256))\"}"
        }
        line("ranges", "[" + ranges.joined(separator: ",") + "]")
        if let restart {
            line("restart", "{\"time\":\(Self.quoted(Self.timeText(restart.time))),\"after_digest\":\(restart.afterDigest),"
                 + "\"clean\":\(restart.clean),\"recovered_records\":\(restart.recoveredRecords)}")
        } else {
            line("restart", "null")
        }
        line("renamed", "[" + renamed.map { "{\"from\":\(Self.quoted($0.from)),\"to\":\(Self.quoted($0.to))}" }.joined(separator: ",") + "]")
        line("deleted", "[" + deleted.map(Self.quoted).joined(separator: ",") + "]")
        line("active", "{\"name\":\(Self.quoted(activeName)),\"end\":\(activeEnd)}")
        line("previous_digest", previousDigest.map(Self.quoted) ?? "null")
        line("previous_signature", previousSignature.map { "\"\(SealHex.encode($0))\"" } ?? "null")
        out += Array("\"signature\":\"".utf8)
        signedBytes = out
        signature = try key.sign(out)
        SealHex.append(signature, to: &out)
        out += Array("\"\n}\n".utf8)
        return out
    }

    /// Parses a digest file; the signature is not checked here (see `SealPublicKey`).
    public static func decode(_ bytes: [UInt8]) throws(SealDigestError) -> SealDigest {
        let marker = Array("\"signature\":\"".utf8)
        guard let at = lastIndex(of: marker, in: bytes) else { throw SealDigestError("no signature") }
        let hexStart = at + marker.count
        guard bytes.count >= hexStart + 128, let signature = SealHex.decode(bytes[hexStart..<(hexStart + 128)]) else {
            throw SealDigestError("the signature is not 128 hex digits")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw SealDigestError("not JSON: \(error)") }
        guard value["format"]?.stringValue == formatName else { throw SealDigestError("not a \(formatName) file") }
        func int(_ v: JSONValue?, _ key: String) throws(SealDigestError) -> Int {
            guard case .integer(let n)? = v else { throw SealDigestError("\(key): expected an integer") }
            return Int(n)
        }
        func seq(_ v: JSONValue?, _ key: String) throws(SealDigestError) -> UInt64 {
            guard case .integer(let n)? = v, n >= 0 else { throw SealDigestError("\(key): expected a sequence number") }
            return UInt64(n)
        }
        func string(_ v: JSONValue?, _ key: String) throws(SealDigestError) -> String {
            guard let text = v?.stringValue else { throw SealDigestError("\(key): expected a string") }
            return text
        }
        func chain(_ v: JSONValue?, _ key: String) throws(SealDigestError) -> SealChain {
            guard let text = v?.stringValue, let chain = SealChain(hex: text) else { throw SealDigestError("\(key): expected 64 hex digits") }
            return chain
        }
        func time(_ v: JSONValue?, _ key: String) throws(SealDigestError) -> Int {
            guard let text = v?.stringValue, let seconds = parseTime(text) else { throw SealDigestError("\(key): expected a UTC time") }
            return seconds
        }
        func array(_ v: JSONValue?, _ key: String) throws(SealDigestError) -> [JSONValue] {
            guard case .array(let items)? = v else { throw SealDigestError("\(key): expected an array") }
            return items
        }
        guard let format = SealRecord.Format(rawValue: try string(value["record_format"], "record_format")) else {
            throw SealDigestError("record_format: expected json or knox")
        }
        var ranges: [Range] = []
        for item in try array(value["ranges"], "ranges") {
            guard let sha = item["sha256"]?.stringValue.flatMap({ SealHex.decode($0) }), sha.count == 32 else {
                throw SealDigestError("ranges: sha256: expected 64 hex digits")
            }
            ranges.append(Range(name: try string(item["name"], "ranges.name"), start: try int(item["start"], "ranges.start"),
                                end: try int(item["end"], "ranges.end"), firstSeq: try seq(item["first_seq"], "ranges.first_seq"),
                                lastSeq: try seq(item["last_seq"], "ranges.last_seq"),
                                previousChain: try chain(item["previous_chain"], "ranges.previous_chain"),
                                lastChain: try chain(item["last_chain"], "ranges.last_chain"), sha256: sha))
        }
        var restart: Restart?
        if let item = value["restart"], item != .null {
            guard case .bool(let clean)? = item["clean"] else { throw SealDigestError("restart.clean: expected true or false") }
            restart = Restart(time: try time(item["time"], "restart.time"), afterDigest: try int(item["after_digest"], "restart.after_digest"),
                              clean: clean, recoveredRecords: try int(item["recovered_records"], "restart.recovered_records"))
        }
        var renamed: [Rename] = []
        for item in try array(value["renamed"], "renamed") {
            renamed.append(Rename(from: try string(item["from"], "renamed.from"), to: try string(item["to"], "renamed.to")))
        }
        var deleted: [String] = []
        for item in try array(value["deleted"], "deleted") { deleted.append(try string(item, "deleted")) }
        let previousSignature: [UInt8]?
        if let text = value["previous_signature"]?.stringValue {
            guard let bytes = SealHex.decode(text), bytes.count == 64 else { throw SealDigestError("previous_signature: expected 128 hex digits") }
            previousSignature = bytes
        } else {
            previousSignature = nil
        }
        var digest = SealDigest(
            number: try int(value["number"], "number"), file: try string(value["file"], "file"), recordFormat: format,
            reason: try string(value["reason"], "reason"), since: try time(value["since"], "since"), time: try time(value["time"], "time"),
            intervalSeconds: try int(value["interval_s"], "interval_s"), keyID: try string(value["key_id"], "key_id"),
            firstSeq: try seq(value["first_seq"], "first_seq"), lastSeq: try seq(value["last_seq"], "last_seq"),
            previousChain: try chain(value["previous_chain"], "previous_chain"), lastChain: try chain(value["last_chain"], "last_chain"),
            ranges: ranges, restart: restart, renamed: renamed, deleted: deleted,
            activeName: try string(value["active"]?["name"], "active.name"), activeEnd: try int(value["active"]?["end"], "active.end"),
            previousDigest: value["previous_digest"]?.stringValue, previousSignature: previousSignature)
        digest.signature = signature
        digest.signedBytes = Array(bytes[..<hexStart])
        return digest
    }

    /// `2026-12-02T10:00:00Z`.
    public static func timeText(_ seconds: Int) -> String {
        RFC3339.format(EventTime(nanosecondsSinceEpoch: Int64(seconds) * 1_000_000_000), fractionDigits: 0, zulu: true)
    }

    static func parseTime(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"), b[19] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Swift.Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard b[index] >= 48, b[index] <= 57 else { return nil }
                value = value * 10 + Int(b[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        return CivilCalendar.daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func lastIndex(of marker: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= marker.count else { return nil }
        var index = bytes.count - marker.count
        while index >= 0 {
            if bytes[index] == marker[0], Array(bytes[index..<(index + marker.count)]) == marker { return index }
            index -= 1
        }
        return nil
    }
}

public struct SealDigestError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// How digest files are named: `<file>.digest-<number, 6 digits or more>.json`, next to the file.
public enum SealDigestName {
    public static func make(file: String, number: Int) -> String {
        "\(file).digest-\(FileIO.zeroPadded(number, 6)).json"
    }

    /// The sink file name and number of a digest file name; nil for other names.
    public static func parse(_ name: String) -> (file: String, number: Int)? {
        guard name.hasSuffix(".json") else { return nil }
        let bytes = Array(name.utf8.dropLast(5))
        let marker = Array(".digest-".utf8)
        guard let at = SealDigest.lastIndex(of: marker, in: bytes), at > 0 else { return nil }
        let digits = bytes[(at + marker.count)...]
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return (String(decoding: bytes[..<at], as: UTF8.self), digits.reduce(0) { $0 * 10 + Int($1 - 48) })
    }
}

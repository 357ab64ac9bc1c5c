import Collector

/// The table `collector demo` prints after a run: one row per audited job (time, user, workflow,
/// state, how many data locations it read and wrote, its audit folder), read back from the Knox
/// audit file the demo pipeline wrote. Every row fits in `width` characters; colours only when
/// `colour` is set (the caller decides: a terminal, and no `NO_COLOR`).
struct DemoSummary {
    /// One audited job, from one Knox record.
    struct Row: Equatable {
        var time = ""
        var user = ""
        var workflow = ""
        var state = ""
        var read = 0
        var written = 0
        var folder = ""
        var error = false
    }

    var rows: [Row]
    /// The audit folders' root: folders are shown relative to it.
    var auditRoot: String

    init(knoxLines: [Substring], auditRoot: String) {
        self.rows = knoxLines.compactMap(Self.row).sorted { $0.time < $1.time }
        self.auditRoot = auditRoot
    }

    /// The table's lines (header first), none longer than `width` characters.
    func lines(width: Int = 190, colour: Bool) -> [String] {
        let header = Row(time: "time", user: "user", workflow: "workflow", state: "state", folder: "audit folder")
        let shown = rows.map { row -> Row in
            var row = row
            if row.folder.hasPrefix(auditRoot + "/") { row.folder = String(row.folder.dropFirst(auditRoot.count + 1)) }
            return row
        }
        let widths = (
            time: min(19, ([header] + shown).map(\.time.count).max() ?? 0),
            user: min(16, ([header] + shown).map(\.user.count).max() ?? 0),
            workflow: min(36, ([header] + shown).map(\.workflow.count).max() ?? 0),
            state: min(30, ([header] + shown).map(\.state.count).max() ?? 0))
        func format(_ row: Row, counts: (String, String), header: Bool) -> String {
            var state = Self.fit(row.state, widths.state)
            if colour && !header {
                let code = row.error || row.state.contains("FAIL") ? "31" : row.state.contains("CANCEL") ? "33" : "32"
                state = "\u{1B}[\(code)m" + state + "\u{1B}[0m"
            }
            let fixed = [Self.fit(row.time, widths.time), Self.fit(row.user, widths.user), Self.fit(row.workflow, widths.workflow),
                         state, Self.pad(counts.0, 4, right: true), Self.pad(counts.1, 7, right: true)].joined(separator: "  ")
            let used = widths.time + widths.user + widths.workflow + widths.state + 4 + 7 + 6 * 2
            let line = fixed + "  " + Self.fit(row.folder, max(8, width - used), pad: false)
            return colour && header ? "\u{1B}[1m" + line + "\u{1B}[0m" : line
        }
        return [format(header, counts: ("read", "written"), header: true)]
            + shown.map { format($0, counts: (String($0.read), String($0.written)), header: false) }
    }

    /// `text` cut to `width` characters (an ellipsis marks the cut), padded to `width` unless `pad` is off.
    static func fit(_ text: String, _ width: Int, pad: Bool = true) -> String {
        let cut = text.count > width ? String(text.prefix(max(0, width - 1))) + "…" : text
        return pad ? Self.pad(cut, width) : cut
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let spaces = String(repeating: " ", count: max(0, width - text.count))
        return right ? spaces + text : text + spaces
    }

    /// Reads one Knox record (see `KnoxLayout`): `TIME ROOT|PARENT|ID|COMPONENT|APP|USER|PROXY|SYSTEM|
    /// ACTION|RESOURCE_TYPE|RESOURCE_NAME|OUTCOME|name=value;…`; nil when the line is not one.
    static func row(_ line: Substring) -> Row? {
        let fields = split(line, on: UInt8(ascii: "|"), message: false)
        guard fields.count >= 13, let space = fields[0].lastIndex(of: " ") else { return nil }
        var row = Row()
        row.time = String(fields[0][..<space])
        row.user = fields[5]
        row.workflow = fields[10]
        row.state = fields[11]
        for entry in split(Substring(fields[12...].joined(separator: "|")), on: UInt8(ascii: ";"), message: true) {
            let parts = split(Substring(entry), on: UInt8(ascii: "="), message: true, limit: 2)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "workflow": row.workflow = parts[1]
            case "jobState": row.state = parts[1]
            case "paths_read": row.read += 1
            case "paths_written": row.written += 1
            case "audit_path": row.folder = parts[1]
            case "enrichment_error": row.error = true
            default: break
            }
        }
        if row.error { row.state += " (!)" }
        return row
    }

    /// Splits at `separator` where it is not escaped by `\`, and undoes the Knox escapes in each part.
    /// The message part keeps its own escapes (`message: false` leaves `\;` and `\=` alone) so that
    /// it can be split again.
    static func split(_ text: Substring, on separator: UInt8, message: Bool, limit: Int = .max) -> [String] {
        var parts: [String] = []
        var current: [UInt8] = []
        var escaped = false
        for byte in text.utf8 {
            if escaped {
                escaped = false
                if !message, byte == UInt8(ascii: ";") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\\") {
                    current.append(UInt8(ascii: "\\"))
                    current.append(byte)
                    continue
                }
                switch byte {
                case UInt8(ascii: "n"): current.append(0x0A)
                case UInt8(ascii: "r"): current.append(0x0D)
                case UInt8(ascii: "t"): current.append(0x09)
                default: current.append(byte)
                }
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == separator, parts.count < limit - 1 {
                parts.append(String(decoding: current, as: UTF8.self))
                current = []
            } else {
                current.append(byte)
            }
        }
        parts.append(String(decoding: current, as: UTF8.self))
        return parts
    }
}

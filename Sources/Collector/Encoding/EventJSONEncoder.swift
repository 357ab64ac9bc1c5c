/// The JSON form of an event: one object, keys in a fixed order, RFC 3339 times with milliseconds
/// and offset, absent optional fields left out, attributes as an object whose repeated names become
/// arrays. Pinned by golden-file tests; never `JSONEncoder` defaults.
///
/// ```json
/// {"id":"…","time":"2024-04-25T16:59:00.390+02:00","actor":{"id":"victor","name":"victor"},
///  "action":{"type":"EXECUTION_FAILED","outcome":"failure"},"resource":{"type":"workflow","name":"/TeamA/TestWorkflow"},
///  "application":{"name":"KNIME","component":"KNIME Server","host":"node003"},"attributes":{"jobId":"…"}}
/// ```
public struct EventJSONEncoder: Sendable {
    public init() {}

    public func encode(_ event: AuditEvent) -> String {
        var out: [UInt8] = []
        append(event, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the event's JSON (no line break).
    public func append(_ event: AuditEvent, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 512)
        out += #"{"id":"#.utf8
        JSONText.appendString(event.id, to: &out)
        out += #","time":""#.utf8
        RFC3339.append(event.time, fractionDigits: 3, to: &out)
        out += #"","actor":{"#.utf8
        var first = true
        member("id", event.actor.id, &out, &first)
        member("name", event.actor.name, &out, &first)
        member("proxy_user", event.actor.proxyUser, &out, &first)
        member("client_ip", event.actor.clientIP, &out, &first)
        member("auth_method", event.actor.authMethod, &out, &first)
        member("session", event.actor.session, &out, &first)
        out += #"},"action":{"type":"#.utf8
        JSONText.appendString(event.action.type, to: &out)
        out += #","outcome":""#.utf8
        out += event.action.outcome.rawValue.utf8
        out += #""},"resource":{"type":"#.utf8
        JSONText.appendString(event.resource.type, to: &out)
        out += #","name":"#.utf8
        JSONText.appendString(event.resource.name, to: &out)
        out += #"},"application":{"name":"#.utf8
        JSONText.appendString(event.application.name, to: &out)
        out += #","component":"#.utf8
        JSONText.appendString(event.application.component, to: &out)
        out += #","host":"#.utf8
        JSONText.appendString(event.application.host, to: &out)
        out += #"},"attributes":{"#.utf8
        appendAttributes(event.attributes, &out)
        out += "}}".utf8
    }

    private func member(_ key: String, _ value: String?, _ out: inout [UInt8], _ first: inout Bool) {
        guard let value else { return }
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(UInt8(ascii: "\""))
        out += key.utf8
        out += "\":".utf8
        JSONText.appendString(value, to: &out)
    }

    private func appendAttributes(_ attributes: Attributes, _ out: inout [UInt8]) {
        var written: Set<String> = []
        var first = true
        for element in attributes where !written.contains(element.name) {
            written.insert(element.name)
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONText.appendString(element.name, to: &out)
            out.append(UInt8(ascii: ":"))
            let values = attributes.values(element.name)
            if values.count == 1 {
                JSONText.appendString(values[0], to: &out)
            } else {
                out.append(UInt8(ascii: "["))
                for (index, value) in values.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    JSONText.appendString(value, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
        }
    }
}

/// JSON string escaping (RFC 8259): quote, backslash and control characters; everything else as UTF-8.
public enum JSONText {
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                appendEscape(byte, to: &out)
                start = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        switch byte {
        case UInt8(ascii: "\""): out += [0x5C, 0x22]
        case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
        case 0x0A: out += [0x5C, UInt8(ascii: "n")]
        case 0x0D: out += [0x5C, UInt8(ascii: "r")]
        case 0x09: out += [0x5C, UInt8(ascii: "t")]
        case 0x08: out += [0x5C, UInt8(ascii: "b")]
        case 0x0C: out += [0x5C, UInt8(ascii: "f")]
        default:
            hex.withUTF8Buffer { digits in
                out += [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            }
        }
    }

    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

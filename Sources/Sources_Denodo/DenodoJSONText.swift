import Collector

/// A JSON value as attribute text: strings as they are, numbers and booleans as written, arrays of
/// scalars joined by `,`, anything else as compact JSON.
enum DenodoJSONText {
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): return string
        case .array(let items) where items.allSatisfy(isScalar): return items.map(text).joined(separator: ",")
        case .null: return ""
        default:
            var out = ""
            compact(value, &out)
            return out
        }
    }

    static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: false
        default: true
        }
    }

    static func compact(_ value: JSONValue, _ out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .integer(let number): out += String(number)
        case .number(let number): out += String(number)
        case .string(let string): quote(string, &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                compact(item, &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                quote(member.key, &out)
                out += ":"
                compact(member.value, &out)
            }
            out += "}"
        }
    }

    static func quote(_ string: String, _ out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

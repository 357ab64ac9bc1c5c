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
        case .string(let string): out += JSONText.quoted(string)
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
                out += JSONText.quoted(member.key)
                out += ":"
                compact(member.value, &out)
            }
            out += "}"
        }
    }
}

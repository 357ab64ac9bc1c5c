import Collector

/// How knox_audit reads the LOGGING_MESSAGE column into attributes.
///
/// Our `knox` format writes the attributes as `name=value` pairs joined by `;` (with `\;`, `\=`, `\|`,
/// `\\` and control escapes inside names and values); such a message is read back into those
/// attributes, in order. Any other message (Knox's own, such as `Response status: 200`) becomes one
/// attribute `message`, exactly as written (Knox escapes nothing in it).
public enum KnoxMessage {
    public enum Mode: String, Sendable, CaseIterable {
        /// Attributes when every `;`-separated part is `name=value` with a name without spaces, else text.
        case auto
        /// Always one `message` attribute.
        case text
    }

    static func attributes(_ raw: [UInt8], mode: Mode, into attributes: inout Attributes) {
        guard !raw.isEmpty else { return }
        if mode == .auto, let pairs = pairs(raw) {
            for (name, value) in pairs { attributes.append(name, value) }
        } else {
            attributes.append("message", String(decoding: raw, as: UTF8.self))
        }
    }

    /// The `name=value;…` pairs, or nil when the message is not in that form.
    static func pairs(_ raw: [UInt8]) -> [(String, String)]? {
        raw.withUnsafeBufferPointer { bytes in
            var pairs: [(String, String)] = []
            var name: [UInt8] = []
            var value: [UInt8] = []
            var inValue = false
            var index = 0
            func finish() -> Bool {
                guard inValue, !name.isEmpty, !name.contains(0x20) else { return false }
                pairs.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
                name.removeAll(keepingCapacity: true)
                value.removeAll(keepingCapacity: true)
                inValue = false
                return true
            }
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\\"):
                    if inValue {
                        index += KnoxLineParser.unescape(bytes, at: index, message: true, into: &value)
                    } else {
                        index += KnoxLineParser.unescape(bytes, at: index, message: true, into: &name)
                    }
                    continue
                case UInt8(ascii: "=") where !inValue:
                    inValue = true
                case UInt8(ascii: ";"):
                    guard finish() else { return nil }
                case UInt8(ascii: "|"):
                    return nil // our writer escapes `|`: this is Knox's own text
                default:
                    if inValue { value.append(byte) } else { name.append(byte) }
                }
                index += 1
            }
            guard finish() else { return nil }
            return pairs
        }
    }
}

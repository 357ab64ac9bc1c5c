import LibXML

/// One `<config>` or `<entry>` of a KNIME settings tree, after XML and KNIME `%%ddddd` unescaping.
///
/// The same shape serves settings.xml files and the workflow summary's `settings` lists, so one
/// extractor reads both. `xpassword` values are never stored: their `value` is always empty.
public struct KnimeConfig: Sendable, Hashable {
    public var key: String
    /// `config` for a sub-tree, otherwise the entry type (`xstring`, `xint`, `xpassword`, ...).
    public var type: String
    public var value: String
    public var isNull: Bool
    public var children: [KnimeConfig]

    public init(key: String, type: String, value: String = "", isNull: Bool = false, children: [KnimeConfig] = []) {
        self.key = key
        self.type = type
        self.value = type == "xpassword" ? "" : value
        self.isNull = isNull
        self.children = children
    }

    public var isConfig: Bool { type == "config" }

    /// The direct child called `key`.
    public func child(_ key: String) -> KnimeConfig? {
        children.first { $0.key == key }
    }

    /// The descendant at a slash-separated path of keys.
    public func descendant(_ path: [String]) -> KnimeConfig? {
        var node = self
        for key in path {
            guard let next = node.child(key) else { return nil }
            node = next
        }
        return node
    }

    /// Reads a settings.xml document (root `<config>` in the XMLConfig namespace).
    public init(settingsXML root: LibXMLElement) {
        self.init(element: root)
    }

    private init(element: LibXMLElement) {
        let key = KnimeUnescape.decode(element.attribute("key") ?? "")
        if element.name == "config" {
            self.init(key: key, type: "config",
                      children: element.children.filter { $0.name == "config" || $0.name == "entry" }.map(KnimeConfig.init(element:)))
        } else {
            self.init(key: key, type: element.attribute("type") ?? "",
                      value: KnimeUnescape.decode(element.attribute("value") ?? ""),
                      isNull: element.attribute("isnull") == "true")
        }
    }
}

/// KNIME's own escape inside settings values: `%%` followed by five decimal digits is a character code.
public enum KnimeUnescape {
    public static func decode(_ text: String) -> String {
        guard hasDoublePercent(text) else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "%", index + 7 <= scalars.count, scalars[index + 1] == "%" {
                let digits = scalars[(index + 2)..<(index + 7)]
                if digits.allSatisfy({ $0.value >= 0x30 && $0.value <= 0x39 }),
                   let code = UInt32(String(String.UnicodeScalarView(digits))), let scalar = Unicode.Scalar(code) {
                    out.append(scalar)
                    index += 7
                    continue
                }
            }
            out.append(scalars[index])
            index += 1
        }
        return String(out)
    }

    /// A byte scan for `%%` (much cheaper than `String.contains`, which goes through Foundation).
    static func hasDoublePercent(_ text: String) -> Bool {
        var previous = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "%") {
                if previous { return true }
                previous = true
            } else {
                previous = false
            }
        }
        return false
    }
}

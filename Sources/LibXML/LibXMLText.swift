/// Text rules of XML 1.0.
public enum LibXMLText {
    /// Whether XML 1.0 allows the scalar in a document (`Char` production): tab, line feed,
    /// carriage return, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF.
    @inlinable
    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: return true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// The text without the characters XML 1.0 forbids (NUL and other C0 controls but tab, line feed
    /// and carriage return; U+FFFE; U+FFFF). Returns the same string when nothing is removed.
    public static func cleaned(_ text: String) -> String {
        var fast = true
        for unit in text.utf8 where unit < 0x20 || unit == 0xEF {
            if unit == 0x9 || unit == 0xA || unit == 0xD { continue }
            fast = false
            break
        }
        if fast { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where isAllowed(scalar) { scalars.append(scalar) }
        return String(scalars)
    }
}

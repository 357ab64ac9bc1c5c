#if canImport(Glibc)
import Glibc
#endif

/// The process's environment variables, read from `environ` (without Foundation's `ProcessInfo`,
/// which a lean run does not otherwise need).
public enum ProcessEnvironment {
    public static func current() -> [String: String] {
        var variables: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return variables
    }
}

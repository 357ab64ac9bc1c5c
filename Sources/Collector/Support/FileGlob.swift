#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileIO {
    /// The paths matching the shell glob `patterns` (`*`, `?`, `[…]`; no `~` or brace expansion),
    /// each path once: pattern by pattern, every pattern's matches sorted. A pattern matching nothing
    /// (or a folder that cannot be read) contributes nothing; this never fails and does no other I/O.
    public static func glob(_ patterns: [String]) -> [String] {
        var found: [String] = []
        var unique = Set<String>()
        for pattern in patterns {
            var result = glob_t()
            defer { globfree(&result) }
            #if canImport(Glibc)
            guard Glibc.glob(pattern, 0, nil, &result) == 0 else { continue }
            #else
            guard Darwin.glob(pattern, 0, nil, &result) == 0 else { continue }
            #endif
            for index in 0..<Int(result.gl_pathc) {
                guard let raw = result.gl_pathv[index] else { continue }
                let path = String(cString: raw)
                if unique.insert(path).inserted { found.append(path) }
            }
        }
        return found
    }
}

import Foundation

/// The non-empty lines of a text file (none if it cannot be read).
public func readLines(_ path: String) -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}

/// The `"id":"…"` of a JSON line written by the `file` sink, or nil if the line is not one.
public func jsonID(_ line: String) -> String? {
    guard let range = line.range(of: #"{"id":""#) else { return nil }
    let rest = line[range.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
}

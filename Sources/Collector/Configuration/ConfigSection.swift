/// Reads one JSON object of a pipeline file into typed values, recording every problem with its
/// place, and the keys it was asked for (so unknown keys can be reported with a suggestion).
///
/// The same reading code serves three purposes: loading (`run`), checking (`validate`) and
/// describing (`collector components`), where it reads an empty object and records each key's type,
/// default and documentation. Factories therefore declare their keys exactly once, by reading them.
public final class ConfigSection {
    /// Dotted place of this object in the file, e.g. `sinks.archive`.
    public let path: String
    let members: [(key: String, value: JSONValue)]
    let diagnostics: ConfigDiagnostics
    let secrets: SecretResolver
    let recorder: KeyRecorder?
    private var known: [String] = []

    init(path: String, members: [(key: String, value: JSONValue)], diagnostics: ConfigDiagnostics,
         secrets: SecretResolver, recorder: KeyRecorder?) {
        self.path = path
        self.members = members
        self.diagnostics = diagnostics
        self.secrets = secrets
        self.recorder = recorder
    }

    /// A section over a JSON object, for tests and for components that read nested maps.
    public convenience init(path: String, object: JSONValue, diagnostics: ConfigDiagnostics,
                            secrets: SecretResolver = SecretResolver(mode: .checkOnly, environment: [:])) {
        guard case .object(let members) = object else {
            diagnostics.report(path, "expected an object, found \(object.kindName)")
            self.init(path: path, members: [], diagnostics: diagnostics, secrets: secrets, recorder: nil)
            return
        }
        self.init(path: path, members: members, diagnostics: diagnostics, secrets: secrets, recorder: nil)
    }

    /// True when this section is read only to describe its keys.
    public var isDescribing: Bool { recorder != nil }

    /// Whether the object has the key (counts as asking for it).
    public func contains(_ key: String) -> Bool {
        markKnown(key)
        return members.contains { $0.key == key }
    }

    public func place(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Reports a problem with a key's value (for checks a component makes beyond types).
    public func report(_ key: String?, _ message: String) {
        diagnostics.report(key.map(place) ?? path, message)
    }

    // MARK: Typed values

    public func string(_ key: String, default fallback: String? = nil, doc: String = "") -> String? {
        record(key, "string", fallback.map { "\"\($0)\"" }, doc, required: false)
        guard let value = value(key) else { return fallback }
        guard case .string(let text) = value else { return mismatch(key, "a string", value, fallback) }
        return resolveReferences(key, text) ?? fallback
    }

    public func requiredString(_ key: String, doc: String = "") -> String {
        record(key, "string", nil, doc, required: true)
        guard let value = value(key) else {
            if !isDescribing { report(key, "missing required key") }
            return ""
        }
        guard case .string(let text) = value else { return mismatch(key, "a string", value, "") }
        if text.isEmpty { report(key, "must not be empty") }
        return resolveReferences(key, text) ?? ""
    }

    public func int(_ key: String, default fallback: Int, range: ClosedRange<Int>? = nil, doc: String = "") -> Int {
        optionalInt(key, default: fallback, range: range, doc: doc) ?? fallback
    }

    public func optionalInt(_ key: String, default fallback: Int? = nil, range: ClosedRange<Int>? = nil, doc: String = "") -> Int? {
        let type = range.map { "integer \($0.lowerBound)...\($0.upperBound)" } ?? "integer"
        record(key, type, fallback.map(String.init), doc, required: false)
        guard let value = value(key) else { return fallback }
        guard case .integer(let number) = value, let int = Int(exactly: number) else {
            return mismatch(key, "an integer", value, fallback)
        }
        if let range, !range.contains(int) {
            report(key, "\(int) is out of range (\(range.lowerBound) to \(range.upperBound))")
            return fallback
        }
        return int
    }

    public func double(_ key: String, default fallback: Double, doc: String = "") -> Double {
        record(key, "number", String(fallback), doc, required: false)
        guard let value = value(key) else { return fallback }
        switch value {
        case .integer(let number): return Double(number)
        case .number(let number): return number
        default: return mismatch(key, "a number", value, fallback)
        }
    }

    public func bool(_ key: String, default fallback: Bool, doc: String = "") -> Bool {
        record(key, "boolean", String(fallback), doc, required: false)
        guard let value = value(key) else { return fallback }
        guard case .bool(let flag) = value else { return mismatch(key, "a boolean", value, fallback) }
        return flag
    }

    /// One of `options`; an unknown value is reported with the options (and the nearest one).
    public func choice(_ key: String, _ options: [String], default fallback: String, doc: String = "") -> String {
        record(key, options.joined(separator: "|"), "\"\(fallback)\"", doc, required: false)
        guard let value = value(key) else { return fallback }
        guard case .string(let text) = value else { return mismatch(key, "a string", value, fallback) }
        guard options.contains(text) else {
            var message = "\"\(text)\" is not one of \(options.map { "\"\($0)\"" }.joined(separator: ", "))"
            if let near = Suggestion.nearest(to: text, among: options) { message += " (did you mean \"\(near)\"?)" }
            report(key, message)
            return fallback
        }
        return text
    }

    /// A list of strings; a single string is accepted as a list of one.
    public func strings(_ key: String, default fallback: [String] = [], doc: String = "") -> [String] {
        record(key, "[string]", fallback.isEmpty ? nil : "[" + fallback.map { "\"\($0)\"" }.joined(separator: ", ") + "]", doc, required: false)
        guard let value = value(key) else { return fallback }
        switch value {
        case .string(let text):
            return [resolveReferences(key, text) ?? text]
        case .array(let items):
            var out: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    report("\(key)[\(index)]", "expected a string, found \(item.kindName)")
                    continue
                }
                out.append(resolveReferences("\(key)[\(index)]", text) ?? text)
            }
            return out
        default:
            return mismatch(key, "a list of strings", value, fallback)
        }
    }

    /// A secret: must be a `${env:NAME}` or `${file:/path}` reference, never a literal.
    public func secret(_ key: String, doc: String = "") -> Secret? {
        record(key, "secret reference", nil, doc, required: false)
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { return mismatch(key, "a string", value, nil) }
        guard let reference = SecretResolver.parse(text) else {
            report(key, "secrets are given by reference only: \"${env:NAME}\" or \"${file:/absolute/path}\"")
            return nil
        }
        switch secrets.resolve(reference) {
        case .success(let resolved): return Secret(reference: text, value: resolved)
        case .failure(let error):
            report(key, "\(text): \(error.description)")
            return nil
        }
    }

    /// A nested object; a missing key gives an empty section, so its keys take their defaults.
    public func section(_ key: String, doc: String = "") -> ConfigSection {
        record(key, "object", nil, doc, required: false)
        let nested = recorder.map { KeyRecorder(prefix: $0.prefix + key + ".", parent: $0) }
        guard let value = value(key) else {
            return ConfigSection(path: place(key), members: [], diagnostics: diagnostics, secrets: secrets, recorder: nested)
        }
        guard case .object(let members) = value else {
            report(key, "expected an object, found \(value.kindName)")
            return ConfigSection(path: place(key), members: [], diagnostics: diagnostics, secrets: secrets, recorder: nested)
        }
        return ConfigSection(path: place(key), members: members, diagnostics: diagnostics, secrets: secrets, recorder: nested)
    }

    /// An object of free-form string values (e.g. a `librdkafka` pass-through map), in file order.
    public func stringMap(_ key: String, doc: String = "") -> [(key: String, value: String)] {
        record(key, "{string: string}", nil, doc, required: false)
        guard let value = value(key) else { return [] }
        guard case .object(let members) = value else { return mismatch(key, "an object", value, []) }
        var out: [(key: String, value: String)] = []
        for member in members {
            switch member.value {
            case .string(let text): out.append((member.key, resolveReferences("\(key).\(member.key)", text) ?? text))
            case .integer(let number): out.append((member.key, String(number)))
            case .number(let number): out.append((member.key, String(number)))
            case .bool(let flag): out.append((member.key, String(flag)))
            default: report("\(key).\(member.key)", "expected a string, number or boolean, found \(member.value.kindName)")
            }
        }
        return out
    }

    /// The members of a nested object whose values are objects themselves (named components).
    public func namedSections(_ key: String, doc: String = "") -> [(name: String, section: ConfigSection)] {
        record(key, "{name: object}", nil, doc, required: false)
        guard let value = value(key) else { return [] }
        guard case .object(let members) = value else { return mismatch(key, "an object", value, []) }
        return members.map { member in
            (member.key, ConfigSection(path: place(key) + "." + member.key, object: member.value,
                                       diagnostics: diagnostics, secrets: secrets))
        }
    }

    /// The raw value of a key (counts as asking for it), for values no typed reader fits.
    public func raw(_ key: String, type: String = "any", doc: String = "") -> JSONValue? {
        record(key, type, nil, doc, required: false)
        return value(key)
    }

    /// Reports every key that nothing asked for, with the nearest known key. Call once, last.
    public func finish() {
        guard !isDescribing else { return }
        for member in members where !known.contains(member.key) {
            var message = "unknown key"
            if let near = Suggestion.nearest(to: member.key, among: known) { message += " (did you mean \"\(near)\"?)" }
            report(member.key, message)
        }
    }

    // MARK: Internals

    private func markKnown(_ key: String) {
        if !known.contains(key) { known.append(key) }
    }

    private func value(_ key: String) -> JSONValue? {
        markKnown(key)
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        if case .null = value { return nil }
        return value
    }

    private func mismatch<T>(_ key: String, _ expected: String, _ found: JSONValue, _ fallback: T) -> T {
        report(key, "expected \(expected), found \(found.kindName)")
        return fallback
    }

    /// A string that is a whole `${env:…}` / `${file:…}` reference is replaced by its value.
    private func resolveReferences(_ key: String, _ text: String) -> String? {
        guard text.hasPrefix("${") else { return text }
        guard let reference = SecretResolver.parse(text) else {
            report(key, "\(text) is not a valid reference (\"${env:NAME}\" or \"${file:/absolute/path}\")")
            return nil
        }
        switch secrets.resolve(reference) {
        case .success(let value): return value
        case .failure(let error):
            report(key, "\(text): \(error.description)")
            return nil
        }
    }

    private func record(_ key: String, _ type: String, _ defaultValue: String?, _ doc: String, required: Bool) {
        recorder?.record(ConfigKeyDescription(key: recorder!.prefix + key, type: type, defaultValue: defaultValue,
                                              doc: doc, required: required))
    }
}

/// A configuration key as `collector components` shows it.
public struct ConfigKeyDescription: Sendable, Hashable {
    public var key: String
    public var type: String
    public var defaultValue: String?
    public var doc: String
    public var required: Bool
}

final class KeyRecorder {
    let prefix: String
    private let parent: KeyRecorder?
    private var ownKeys: [ConfigKeyDescription] = []

    init(prefix: String = "", parent: KeyRecorder? = nil) {
        self.prefix = prefix
        self.parent = parent
    }

    func record(_ description: ConfigKeyDescription) {
        if let parent {
            parent.record(description)
        } else if !ownKeys.contains(where: { $0.key == description.key }) {
            ownKeys.append(description)
        }
    }

    var keys: [ConfigKeyDescription] { ownKeys }
}

enum Suggestion {
    /// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
    static func nearest(to word: String, among candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(Array(word.lowercased()), Array(candidate.lowercased()))
            if distance <= limit, distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// Finds data locations in one node's settings tree (REFERENCE.md, "Where data locations live").
///
/// Reads the `model` config only (copies under `flow_stack` and `variables` are propagation, not
/// use); flags locations whose setting a flow variable overrides; takes the role from `factory`.
/// Empty and null values are not locations. `xpassword` entries are never reported.
public enum KnimeLocationExtractor {
    static let legacyKeys: Set<String> = ["DataURL", "url", "filename", "database", "sql_statement", "path"]
    static let connectionKeys: Set<String> = ["host", "port", "database_name", "path"]

    /// Locations of a settings.xml root (`node` names the node in the result).
    public static func locations(settings root: KnimeConfig, node: String) -> [KnimeDataLocation] {
        guard let model = root.child("model") else { return [] }
        let factory = root.child("factory")?.value ?? ""
        let overrides = variableOverrides(root.child("variables"))
        var found: [KnimeDataLocation] = []
        walk(model, path: ["model"], node: node, into: &found)
        let role = role(of: factory)
        return found.map { location in
            var location = location
            location.factory = factory
            location.role = role
            let relative = location.key.split(separator: "/").dropFirst().joined(separator: "/")
            location.overriddenBy = overrides.first { path, _ in
                path == relative || path.hasPrefix(relative + "/") || relative.hasPrefix(path + "/")
            }?.variable
            return location
        }
    }

    /// Walks a config (already the `model` or equivalent) at `path`.
    static func walk(_ config: KnimeConfig, path: [String], node: String, into found: inout [KnimeDataLocation]) {
        var handledPath = false
        if let present = config.child("location_present"), !present.isConfig,
           let pathEntry = config.child("path"), !pathEntry.isConfig {
            handledPath = true
            if !pathEntry.isNull, !pathEntry.value.isEmpty {
                let specifier = config.child("file_system_specifier")
                found.append(KnimeDataLocation(
                    node: node, key: path.joined(separator: "/"), kind: .fsLocation,
                    fsType: config.child("file_system_type")?.value ?? "",
                    specifier: (specifier?.isNull ?? true) ? "" : specifier!.value,
                    value: pathEntry.value))
            }
        }
        let parent = path.last ?? ""
        for child in config.children {
            if child.isConfig {
                walk(child, path: path + [child.key], node: node, into: &found)
                continue
            }
            if child.type == "xpassword" || child.isNull || child.value.isEmpty { continue }
            if child.key == "path", handledPath { continue }
            let isLocation = legacyKeys.contains(child.key)
                || (parent.hasSuffix("-connection") && connectionKeys.contains(child.key))
                || (parent == "dbTable" && (child.key == "schema" || child.key == "table"))
                || (parent == "urls" && !child.key.isEmpty && child.key.allSatisfy(\.isNumber))
            if isLocation {
                found.append(KnimeDataLocation(node: node, key: (path + [child.key]).joined(separator: "/"),
                                               kind: .entry, value: child.value))
            }
        }
    }

    /// `variables/tree/…/used_variable` (new) or `variables/<key>/used_variable` (old): path relative
    /// to the model, and the variable's name.
    static func variableOverrides(_ variables: KnimeConfig?) -> [(path: String, variable: String)] {
        guard let variables else { return [] }
        var out: [(String, String)] = []
        func visit(_ config: KnimeConfig, _ path: [String]) {
            if let used = config.child("used_variable"), !used.isConfig, !used.isNull, !used.value.isEmpty {
                out.append((path.joined(separator: "/"), used.value))
            }
            for child in config.children where child.isConfig { visit(child, path + [child.key]) }
        }
        if let tree = variables.child("tree") { visit(tree, []) } else { visit(variables, []) }
        return out
    }

    /// Reader, writer or connector, from the factory class name.
    public static func role(of factory: String) -> KnimeDataLocation.Role {
        let name = (factory.split(separator: ".").last.map(String.init) ?? factory).lowercased()
        if name.contains("writer") || name.contains("tabletodatabase") || name.contains("dbinsert")
            || name.contains("dbupdate") || name.contains("dbdelete") || name.contains("dbmerge") { return .writer }
        if name.contains("connector") || name.contains("connection") { return .connector }
        if name.contains("reader") || name.contains("selector") || name.contains("query")
            || name.contains("listfiles") || name.contains("loader") || name.contains("source")
            || name.contains("browser") { return .reader }
        return .other
    }
}

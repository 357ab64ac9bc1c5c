import Foundation
import Archive
import LibXML

/// Builds a workflow summary (KNIME's JSON shape) from a workflow archive's settings.xml files, with
/// flow variables applied where the node's `flow_stack` holds the variable's value, and passwords
/// shown as `********`, as KNIME Server does.
enum StandInSummaryBuilder {
    final class Node {
        var id: String
        var name: String
        var settings: [StandInJSON.Value] = []
        var factory = ""
        var children: [String: Node] = [:]
        var order: [String] = []

        init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// The `workflow.nodes` array of the archive at `path`; nil if it cannot be read.
    static func nodes(archive path: String, failingNode: String?) -> [StandInJSON.Value]? {
        guard let reader = try? ArchiveReader(path: path) else { return nil }
        let root = Node(id: "", name: "")
        var buffer = [UInt8](repeating: 0, count: 65536)
        do {
            while let entry = try reader.next() {
                let parts = entry.path.split(separator: "/").map(String.init)
                guard parts.count >= 3, parts.last == "settings.xml" else { continue }
                var bytes: [UInt8] = []
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                    if n == 0 { break }
                    bytes += buffer[0..<n]
                }
                guard let document = try? LibXMLDocument(parsing: bytes, name: entry.path) else { continue }
                var node = root
                for folder in parts.dropFirst().dropLast() {
                    if node.children[folder] == nil {
                        let (name, id) = split(folder)
                        node.children[folder] = Node(id: node.id.isEmpty ? id : node.id + ":0:" + id, name: name)
                        node.order.append(folder)
                    }
                    node = node.children[folder]!
                }
                fill(node, from: document.root)
            }
        } catch {
            return nil
        }
        return render(root, failingNode: failingNode)
    }

    static func render(_ parent: Node, failingNode: String?) -> [StandInJSON.Value] {
        parent.order.compactMap { parent.children[$0] }.map { node in
            let failed = failingNode.map { "\(node.name) \(node.id)" == $0 || node.name == $0 } ?? false
            var members: [(String, StandInJSON.Value)] = [
                ("id", .string(node.id)), ("name", .string(node.name)),
                ("type", .string(node.children.isEmpty ? "NativeNode" : "SubNode")),
                ("state", .string(failed ? "CONFIGURED" : "EXECUTED")),
                ("factoryKey", .object([("className", .string(node.factory))])),
                ("settings", .array(node.settings)),
            ]
            if failed {
                members.append(("nodeMessage", .object([("type", .string("ERROR")), ("message", .string("Execute failed"))])))
            }
            if !node.children.isEmpty {
                members.append(("component", .bool(true)))
                members.append(("subWorkflow", .object([("name", .string(node.name)),
                                                        ("nodes", .array(render(node, failingNode: failingNode)))])))
            }
            return .object(members)
        }
    }

    static func split(_ folder: String) -> (String, String) {
        guard folder.hasSuffix(")"), let open = folder.range(of: " (#", options: .backwards) else { return (folder, folder) }
        return (String(folder[..<open.lowerBound]), String(folder[open.upperBound...].dropLast()))
    }

    static func fill(_ node: Node, from root: LibXMLElement) {
        node.factory = entries(root)["factory"] ?? ""
        guard let model = root.children.first(where: { $0.name == "config" && $0.attribute("key") == "model" }) else { return }
        let stack = flowStack(root)
        var overrides: [String: String] = [:]
        if let variables = root.children.first(where: { $0.attribute("key") == "variables" }) {
            let tree = variables.children.first { $0.attribute("key") == "tree" } ?? variables
            collectOverrides(tree, path: [], into: &overrides)
        }
        node.settings = settings(model, path: [], overrides: overrides, stack: stack)
    }

    static func entries(_ element: LibXMLElement) -> [String: String] {
        var out: [String: String] = [:]
        for child in element.children where child.name == "entry" {
            out[child.attribute("key") ?? ""] = child.attribute("value") ?? ""
        }
        return out
    }

    static func flowStack(_ root: LibXMLElement) -> [String: String] {
        var out: [String: String] = [:]
        guard let stack = root.children.first(where: { $0.attribute("key") == "flow_stack" }) else { return out }
        for variable in stack.children where variable.name == "config" {
            let fields = entries(variable)
            if let name = fields["name"], let value = fields["value"] { out[name] = value }
        }
        return out
    }

    static func collectOverrides(_ config: LibXMLElement, path: [String], into out: inout [String: String]) {
        for child in config.children {
            if child.name == "entry", child.attribute("key") == "used_variable", child.attribute("isnull") != "true",
               let variable = child.attribute("value"), !variable.isEmpty {
                out[path.joined(separator: "/")] = variable
            } else if child.name == "config" {
                collectOverrides(child, path: path + [child.attribute("key") ?? ""], into: &out)
            }
        }
    }

    static func settings(_ config: LibXMLElement, path: [String], overrides: [String: String],
                         stack: [String: String]) -> [StandInJSON.Value] {
        config.children.compactMap { child -> StandInJSON.Value? in
            let key = child.attribute("key") ?? ""
            if child.name == "config" {
                return .object([("key", .string(key)), ("type", .string("config")),
                                ("settings", .array(settings(child, path: path + [key], overrides: overrides, stack: stack)))])
            }
            guard child.name == "entry" else { return nil }
            let type = child.attribute("type") ?? "xstring"
            var value = child.attribute("value") ?? ""
            if type == "xpassword" {
                value = "********"
            } else {
                let full = (path + [key]).joined(separator: "/")
                let parent = path.joined(separator: "/")
                if let variable = overrides[full] ?? (key == "path" ? overrides[parent] : nil), let applied = stack[variable] {
                    value = applied
                }
            }
            var members: [(String, StandInJSON.Value)] = [("key", .string(key)), ("type", .string(type))]
            if child.attribute("isnull") != "true" { members.append(("value", .string(value))) }
            return .object(members)
        }
    }
}

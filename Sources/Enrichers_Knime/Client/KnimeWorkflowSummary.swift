import Foundation

/// The parts of a workflow summary (`format=JSON&includeExecutionInfo=true`) the collector uses:
/// every node (nested metanodes and components flattened) with its state and settings.
public struct KnimeWorkflowSummary: Sendable {
    public struct Node: Sendable {
        /// Node id path, e.g. `5:0:2`.
        public var id: String
        public var name: String
        public var state: String
        public var factory: String
        public var settings: KnimeConfig
    }

    public var nodes: [Node]

    public init(json bytes: [UInt8]) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw KnimeClientError(message: "the workflow summary is not a JSON object", request: "workflow-summary", isRetriable: false)
        }
        var nodes: [Node] = []
        if let workflow = object["workflow"] as? [String: Any] { Self.collect(workflow, into: &nodes) }
        self.nodes = nodes
    }

    static func collect(_ workflow: [String: Any], into nodes: inout [Node]) {
        for node in workflow["nodes"] as? [[String: Any]] ?? [] {
            let settings = (node["settings"] as? [[String: Any]] ?? []).map(config)
            let factory = (node["factoryKey"] as? [String: Any])?["className"] as? String ?? ""
            nodes.append(Node(id: "\(node["id"] ?? "")", name: node["name"] as? String ?? "",
                              state: node["state"] as? String ?? "", factory: factory,
                              settings: KnimeConfig(key: "", type: "config", children: settings)))
            if let sub = node["subWorkflow"] as? [String: Any] { collect(sub, into: &nodes) }
        }
    }

    static func config(_ object: [String: Any]) -> KnimeConfig {
        let key = KnimeUnescape.decode(object["key"] as? String ?? "")
        let type = object["type"] as? String ?? "xstring"
        if type == "config" || object["settings"] != nil {
            return KnimeConfig(key: key, type: "config", children: (object["settings"] as? [[String: Any]] ?? []).map(config))
        }
        let value: String
        switch object["value"] {
        case let text as String: value = text
        case let number as NSNumber: value = number.stringValue
        default: value = ""
        }
        let masked = value == "********"
        return KnimeConfig(key: key, type: masked ? "xpassword" : type, value: KnimeUnescape.decode(value),
                           isNull: object["value"] == nil || object["value"] is NSNull)
    }

    /// Locations of the nodes that ran (state EXECUTED), with flow variables applied by the server.
    public func executedLocations() -> [KnimeDataLocation] {
        nodes.filter { $0.state.uppercased() == "EXECUTED" }.flatMap { node -> [KnimeDataLocation] in
            let model = node.settings.child("model") ?? KnimeConfig(key: "model", type: "config", children: node.settings.children)
            var found: [KnimeDataLocation] = []
            KnimeLocationExtractor.walk(model, path: ["model"], node: "\(node.name) (#\(node.id))", into: &found)
            let role = KnimeLocationExtractor.role(of: node.factory)
            return found.map {
                var location = $0
                location.origin = .summary
                location.factory = node.factory
                location.role = role
                return location
            }
        }
    }
}

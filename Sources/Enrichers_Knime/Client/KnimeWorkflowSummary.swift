import Collector

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
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw KnimeClientError(message: "the workflow summary is not JSON: \(error)", request: "workflow-summary", isRetriable: false)
        }
        guard case .object = value else {
            throw KnimeClientError(message: "the workflow summary is not a JSON object", request: "workflow-summary", isRetriable: false)
        }
        var nodes: [Node] = []
        if let workflow = value["workflow"] { Self.collect(workflow, into: &nodes) }
        self.nodes = nodes
    }

    static func collect(_ workflow: JSONValue, into nodes: inout [Node]) {
        for node in workflow["nodes"]?.arrayValue ?? [] {
            let settings = (node["settings"]?.arrayValue ?? []).map(config)
            let factory = node["factoryKey"]?["className"]?.stringValue ?? ""
            nodes.append(Node(id: node["id"]?.scalarText ?? "", name: node["name"]?.stringValue ?? "",
                              state: node["state"]?.stringValue ?? "", factory: factory,
                              settings: KnimeConfig(key: "", type: "config", children: settings)))
            if let sub = node["subWorkflow"], case .object = sub { collect(sub, into: &nodes) }
        }
    }

    static func config(_ object: JSONValue) -> KnimeConfig {
        let key = KnimeUnescape.decode(object["key"]?.stringValue ?? "")
        let type = object["type"]?.stringValue ?? "xstring"
        if type == "config" || object["settings"] != nil {
            return KnimeConfig(key: key, type: "config", children: (object["settings"]?.arrayValue ?? []).map(config))
        }
        let value = object["value"]?.scalarText ?? ""
        let masked = value == "********"
        return KnimeConfig(key: key, type: masked ? "xpassword" : type, value: KnimeUnescape.decode(value),
                           isNull: object["value"] == nil || object["value"]?.isNull == true)
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

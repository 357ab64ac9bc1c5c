import Collector

/// A KNIME Server job as `GET /jobs/{id}` answers it. Missing fields stay nil; unknown ones are ignored.
public struct KnimeJob: Sendable, Hashable {
    public struct NodeMessage: Sendable, Hashable {
        public var node: String
        public var type: String
        public var message: String
    }

    public var id: String
    public var name: String?
    public var owner: String?
    public var state: String?
    public var workflow: String?
    public var createdAt: EventTime?
    public var startedAt: EventTime?
    public var finishedAt: EventTime?
    public var executorName: String?
    public var nodeMessages: [NodeMessage]

    /// The last ERROR node message, if any.
    public var lastError: NodeMessage? {
        nodeMessages.last { $0.type.uppercased() == "ERROR" }
    }

    /// Decodes a job JSON object; throws only if the body is not a JSON object.
    public init(json bytes: [UInt8], fallbackID: String) throws {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw KnimeClientError(message: "the job is not JSON: \(error)", request: "GET /jobs/\(fallbackID)", isRetriable: false)
        }
        guard case .object = value else {
            throw KnimeClientError(message: "the job is not a JSON object", request: "GET /jobs/\(fallbackID)", isRetriable: false)
        }
        self.init(object: value, fallbackID: fallbackID)
    }

    /// Reads a job object (an element of `GET /jobs/`'s `jobs`, or `GET /jobs/{id}`).
    public init(object: JSONValue, fallbackID: String) {
        func string(_ key: String) -> String? { object[key]?.scalarText }
        id = string("id") ?? fallbackID
        name = string("name")
        owner = string("owner")
        state = string("state")
        workflow = string("workflow")
        createdAt = KnimeDate.parse(object["createdAt"])
        startedAt = KnimeDate.parse(object["startedExecutionAt"])
        finishedAt = KnimeDate.parse(object["finishedExecutionAt"])
        executorName = string("executorName")
        nodeMessages = (object["nodeMessages"]?.arrayValue ?? []).map {
            NodeMessage(node: $0["node"]?.stringValue ?? "", type: $0["messageType"]?.stringValue ?? "",
                        message: $0["message"]?.stringValue ?? "")
        }
    }
}

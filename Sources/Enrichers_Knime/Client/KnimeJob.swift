import Collector
import Foundation

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
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw KnimeClientError(message: "the job is not a JSON object", request: "GET /jobs/\(fallbackID)", isRetriable: false)
        }
        self.init(object: object, fallbackID: fallbackID)
    }

    public init(object: [String: Any], fallbackID: String) {
        func string(_ key: String) -> String? {
            switch object[key] {
            case let text as String: return text
            case let number as NSNumber: return number.stringValue
            default: return nil
            }
        }
        id = string("id") ?? fallbackID
        name = string("name")
        owner = string("owner")
        state = string("state")
        workflow = string("workflow")
        createdAt = KnimeDate.parse(object["createdAt"])
        startedAt = KnimeDate.parse(object["startedExecutionAt"])
        finishedAt = KnimeDate.parse(object["finishedExecutionAt"])
        executorName = string("executorName")
        nodeMessages = (object["nodeMessages"] as? [[String: Any]] ?? []).map {
            NodeMessage(node: $0["node"] as? String ?? "", type: $0["messageType"] as? String ?? "",
                        message: $0["message"] as? String ?? "")
        }
    }
}

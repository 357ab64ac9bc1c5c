/// A failed REST call: the HTTP status when there was an answer, and whether trying again may help.
public struct KnimeClientError: Error, CustomStringConvertible, Sendable {
    public var status: Int?
    public var message: String
    /// The request, without credentials (e.g. `GET /jobs/ID`).
    public var request: String
    public var isRetriable: Bool

    public init(status: Int? = nil, message: String, request: String, isRetriable: Bool) {
        self.status = status
        self.message = message
        self.request = request
        self.isRetriable = isRetriable
    }

    public var isNotFound: Bool { status == 404 }

    public var description: String {
        if let status { return "\(request): HTTP \(status): \(message)" }
        return "\(request): \(message)"
    }
}

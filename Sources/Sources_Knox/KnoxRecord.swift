/// One parsed Knox audit line: the time, the twelve pipe-separated columns (escapes undone) and the
/// message column as written (with `|` kept, escapes not yet undone: see `KnoxMessage`).
struct KnoxRecord: Sendable, Equatable {
    var rootRequestID: String
    var parentRequestID: String
    var requestID: String
    var loggerName: String
    var targetService: String
    var userName: String
    var proxyUserName: String
    var systemUserName: String
    var action: String
    var resourceType: String
    var resourceName: String
    var outcome: String
    var rawMessage: [UInt8]
}

import Collector

/// KNIME job states and the audit outcome each one means.
public enum KnimeJobState {
    public static let terminal = ["EXECUTION_FINISHED", "EXECUTION_FAILED", "EXECUTION_FAILED_WITH_CONTENT", "EXECUTION_CANCELLED"]
    public static let abnormal = ["LOAD_ERROR", "NOT_EXECUTABLE", "DISCARDED", "VANISHED"]
    public static let other = ["IDLE", "CONFIGURED", "EXECUTING", "EXECUTED", "LOADING", "INTERACTION_REQUIRED", "UNDEFINED"]
    /// The states that emit an event unless `states` says otherwise.
    public static let defaultStates = terminal + abnormal
    public static let all = terminal + abnormal + other

    /// success for FINISHED; failure for FAILED, FAILED_WITH_CONTENT, LOAD_ERROR, NOT_EXECUTABLE,
    /// VANISHED; unavailable for CANCELLED and DISCARDED; unknown otherwise.
    public static func outcome(_ state: String) -> Outcome {
        switch state {
        case "EXECUTION_FINISHED", "EXECUTED": .success
        case "EXECUTION_FAILED", "EXECUTION_FAILED_WITH_CONTENT", "LOAD_ERROR", "NOT_EXECUTABLE", "VANISHED": .failure
        case "EXECUTION_CANCELLED", "DISCARDED": .unavailable
        default: .unknown
        }
    }
}

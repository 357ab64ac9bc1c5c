/// Names one kind of value an `EventContext` can hold, and its type.
///
/// Declare a key as an empty enum in the module that owns the value, e.g.
/// `public enum KnimeJobAnswersKey: EventContextKey { public typealias Value = KnimeJobAnswers }`.
/// Two keys never collide: the key is the type itself, not a string.
public protocol EventContextKey {
    associatedtype Value: Sendable
}

/// What components of one pipeline pass to each other along with an event, outside its audit record:
/// a small typed bag, keyed by `EventContextKey` types (for example the raw REST answers `knime_job`
/// fetched, so that `knime_workflow` downstream does not fetch them again).
///
/// The context travels with the event through queues and enrichers of the pipeline that made it and
/// goes nowhere else: no encoder writes it (JSON, Knox, XML, dead letters, disk buffers), no decoder
/// reads it (an event re-read from a file has an empty context), and it takes no part in the event's
/// equality or hash (every two contexts compare equal), so an event's output and identity never
/// depend on it. Values are immutable once stored (value semantics); a component that consumed a value
/// should remove it (`context[Key.self] = nil`) so it is not carried to the sinks for nothing.
public struct EventContext: Sendable, Hashable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    /// The value stored under `key`, or nil.
    public subscript<Key: EventContextKey>(_ key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }

    public var isEmpty: Bool { values.isEmpty }

    /// Always true: the context is not part of an event's identity.
    public static func == (lhs: EventContext, rhs: EventContext) -> Bool { true }

    /// Adds nothing: the context is not part of an event's identity.
    public func hash(into hasher: inout Hasher) {}
}

import Crypto

/// One audit record: who did what to which resource, when, where, with which outcome.
///
/// The one value type that flows from sources through enrichers to sinks. Encodings are owned by
/// the core (`EventJSONEncoder`, `KnoxLayout`) or by a sink, never by `JSONEncoder` defaults.
public struct AuditEvent: Sendable, Hashable {
    /// Deterministic, stable on re-read: a hash of the source identity and the content (see `deterministicID`).
    public var id: String
    /// When the action happened, from the origin (not the collector's clock).
    public var time: EventTime
    public var actor: Actor
    public var action: Action
    public var resource: Resource
    public var application: Application
    /// Ordered extra facts (jobId, errorMessage, paths, audit_path, ...). A name may repeat.
    public var attributes: Attributes
    /// What components pass each other with this event inside one pipeline. Never encoded or
    /// decoded, and not part of `==`/`hash` (see `EventContext`).
    public var context: EventContext

    public init(
        id: String,
        time: EventTime,
        actor: Actor = Actor(),
        action: Action,
        resource: Resource = Resource(),
        application: Application = Application(),
        attributes: Attributes = Attributes(),
        context: EventContext = EventContext()
    ) {
        self.id = id
        self.time = time
        self.actor = actor
        self.action = action
        self.resource = resource
        self.application = application
        self.attributes = attributes
        self.context = context
    }

    /// A 128-bit identifier in UUID layout (lowercase hex), from the SHA-256 of the parts.
    ///
    /// Parts are separated by a byte that cannot occur in UTF-8 text, so ("a", "bc") and ("ab", "c") differ.
    public static func deterministicID(_ parts: [String]) -> String {
        var hasher = SHA256()
        for (index, part) in parts.enumerated() {
            if index > 0 { hasher.update(data: [0xFF]) }
            hasher.update(data: Array(part.utf8))
        }
        return UUIDText.format(Array(hasher.finalize()).prefix(16))
    }

    public static func deterministicID(_ parts: String...) -> String {
        deterministicID(parts)
    }
}

/// Who did it.
public struct Actor: Sendable, Hashable {
    public var id: String?
    public var name: String?
    public var proxyUser: String?
    public var clientIP: String?
    public var authMethod: String?
    public var session: String?

    public init(id: String? = nil, name: String? = nil, proxyUser: String? = nil,
                clientIP: String? = nil, authMethod: String? = nil, session: String? = nil) {
        self.id = id
        self.name = name
        self.proxyUser = proxyUser
        self.clientIP = clientIP
        self.authMethod = authMethod
        self.session = session
    }
}

/// What was done, and how it ended.
public struct Action: Sendable, Hashable {
    /// EXECUTION_FAILED, access, authentication, ...
    public var type: String
    public var outcome: Outcome

    public init(type: String, outcome: Outcome) {
        self.type = type
        self.outcome = outcome
    }
}

public enum Outcome: String, Sendable, Hashable, CaseIterable {
    case success, failure, unavailable, unknown
}

/// What it was done to.
public struct Resource: Sendable, Hashable {
    /// workflow, job, topology, uri, principal, ...
    public var type: String
    public var name: String

    public init(type: String = "", name: String = "") {
        self.type = type
        self.name = name
    }
}

/// Where it happened.
public struct Application: Sendable, Hashable {
    public var name: String
    public var component: String
    public var host: String

    public init(name: String = "", component: String = "", host: String = "") {
        self.name = name
        self.component = component
        self.host = host
    }
}

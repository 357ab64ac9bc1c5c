import Synchronization

/// Something several components of one pipeline share, such as a REST client with its connection
/// pool. Made by the first component that asks for it, shut down by the pipeline.
public protocol PipelineResource: AnyObject, Sendable {
    /// Releases what the resource holds. Called once: when the last lease on it is released, or when
    /// the pipeline that owns it has stopped.
    func shutdown() async
}

/// The resources one pipeline owns, handed to its components in `ComponentContext.resources`.
///
/// This is how components share a resource without process-wide state: a resource lives in the
/// registry of one pipeline run (two pipelines in one process never see each other's), is made on the
/// first `lease` of its key, and is shut down when the last lease is released or, at the latest, when
/// the pipeline stops (`shutdownAll()`, called by the engine after every component has shut down).
/// Thread-safe. Making a resource must do no I/O (factories call `lease`).
public final class PipelineResources: Sendable {
    private struct Entry {
        var resource: any PipelineResource
        var leases: Int
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var ids: [TypedKey: Int] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// A lease on the resource of type `R` under `key`, made by `make` if there is none yet.
    /// Release the lease when done with it (a component does so in its `shutdown()`).
    public func lease<R: PipelineResource, Key: Hashable & Sendable>(
        _ type: R.Type = R.self, key: Key, make: () throws -> R
    ) throws -> ResourceLease<R> {
        let fullKey = TypedKey(type: ObjectIdentifier(R.self), key: AnyHashable(key))
        return try state.withLock { state in
            if let id = state.ids[fullKey], var entry = state.entries[id], let resource = entry.resource as? R {
                entry.leases += 1
                state.entries[id] = entry
                return ResourceLease(resource: resource, id: id, owner: self)
            }
            let resource = try make()
            let id = state.nextID
            state.nextID += 1
            state.ids[fullKey] = id
            state.entries[id] = Entry(resource: resource, leases: 1)
            return ResourceLease(resource: resource, id: id, owner: self)
        }
    }

    /// Resources currently held (for tests and statistics).
    public var count: Int { state.withLock { $0.entries.count } }

    /// Shuts down every resource still held. Idempotent; the engine calls it when the pipeline has stopped.
    public func shutdownAll() async {
        let resources = state.withLock { state -> [any PipelineResource] in
            defer {
                state.entries = [:]
                state.ids = [:]
            }
            return state.entries.sorted { $0.key < $1.key }.map(\.value.resource)
        }
        for resource in resources { await resource.shutdown() }
    }

    func release(_ id: Int) async {
        let resource = state.withLock { state -> (any PipelineResource)? in
            guard var entry = state.entries[id] else { return nil }
            entry.leases -= 1
            guard entry.leases == 0 else {
                state.entries[id] = entry
                return nil
            }
            state.entries[id] = nil
            state.ids = state.ids.filter { $0.value != id }
            return entry.resource
        }
        await resource?.shutdown()
    }

    /// The resource type and the caller's key. Unchecked: `key` is made only from a `Sendable` key.
    private struct TypedKey: Hashable, @unchecked Sendable {
        var type: ObjectIdentifier
        var key: AnyHashable
    }
}

/// One component's hold on a shared resource. `release()` is idempotent; the resource is shut down
/// when its last lease is released.
public final class ResourceLease<R: PipelineResource>: Sendable {
    public let resource: R
    private let id: Int
    private let owner: PipelineResources
    private let released = Atomic<Bool>(false)

    init(resource: R, id: Int, owner: PipelineResources) {
        self.resource = resource
        self.id = id
        self.owner = owner
    }

    public func release() async {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await owner.release(id)
    }
}

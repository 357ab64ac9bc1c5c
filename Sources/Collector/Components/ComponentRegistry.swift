/// The component types a `collector` binary knows, keyed by `type`. Built by the CLI, the only
/// target that imports every plugin; the core knows none of them.
public struct ComponentRegistry: Sendable {
    /// A configuration read and checked, ready to make the component.
    public struct Prepared: Sendable {
        let make: @Sendable (ComponentContext) throws -> Component
    }

    enum Component {
        case source(any Source)
        case enricher(any Enricher)
        case sink(any Sink)
    }

    struct Entry: Sendable {
        let type: String
        let kind: ComponentKind
        let summary: String
        var sinkDefaults: SinkDefaults? = nil
        let prepare: @Sendable (ConfigSection) -> Prepared
    }

    private(set) var entries: [Entry] = []

    public init() {}

    public mutating func register<F: SourceFactory>(_ factory: F) {
        add(Entry(type: factory.type, kind: .source, summary: factory.summary) { section in
            let configuration = factory.configuration(section)
            return Prepared { context in .source(try factory.makeSource(configuration, context: context)) }
        })
    }

    public mutating func register<F: EnricherFactory>(_ factory: F) {
        add(Entry(type: factory.type, kind: .enricher, summary: factory.summary) { section in
            let configuration = factory.configuration(section)
            return Prepared { context in .enricher(try factory.makeEnricher(configuration, context: context)) }
        })
    }

    public mutating func register<F: SinkFactory>(_ factory: F) {
        add(Entry(type: factory.type, kind: .sink, summary: factory.summary, sinkDefaults: factory.defaults) { section in
            let configuration = factory.configuration(section)
            return Prepared { context in .sink(try factory.makeSink(configuration, context: context)) }
        })
    }

    private mutating func add(_ entry: Entry) {
        precondition(!entries.contains { $0.type == entry.type && $0.kind == entry.kind },
                     "\(entry.kind) type \(entry.type) registered twice")
        entries.append(entry)
    }

    func entry(kind: ComponentKind, type: String) -> Entry? {
        entries.first { $0.kind == kind && $0.type == type }
    }

    public func types(of kind: ComponentKind) -> [String] {
        entries.filter { $0.kind == kind }.map(\.type).sorted()
    }

    /// Every registered type with its configuration keys (read from an empty configuration).
    public func describe() -> [ComponentDescription] {
        entries.map { entry in
            let recorder = KeyRecorder()
            let section = ConfigSection(path: "", members: [], diagnostics: ConfigDiagnostics(file: ""),
                                        secrets: SecretResolver(mode: .checkOnly, environment: [:]), recorder: recorder)
            var common = CommonKeys.read(section, kind: entry.kind)
            if let defaults = entry.sinkDefaults { common.readSinkKeys(section, defaults: defaults) }
            _ = entry.prepare(section)
            return ComponentDescription(type: entry.type, kind: entry.kind, summary: entry.summary, keys: recorder.keys)
        }
    }
}

public struct ComponentDescription: Sendable {
    public var type: String
    public var kind: ComponentKind
    public var summary: String
    public var keys: [ConfigKeyDescription]
}

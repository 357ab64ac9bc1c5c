
/// A pipeline file, read and checked: every component's configuration parsed, the wiring valid.
public struct PipelineDefinition: Sendable {
    public var file: String
    public var name: String
    public var dataDirectory: String
    /// Capacity of each queue in front of an enricher or sink (events); full queues back-pressure the sources.
    public var queueCapacity: Int
    /// How long a graceful stop may take to drain before in-flight work is abandoned (it is re-read on restart).
    public var shutdownGraceSeconds: Double
    /// How often acknowledged positions are written to the checkpoint store.
    public var checkpointIntervalMilliseconds: Int
    public var components: [ComponentDefinition]

    public func components(_ kind: ComponentKind) -> [ComponentDefinition] {
        components.filter { $0.kind == kind }
    }
}

public struct ComponentDefinition: Sendable {
    public var name: String
    public var kind: ComponentKind
    public var type: String
    public var inputs: [String]
    var common: CommonKeys
    let prepared: ComponentRegistry.Prepared
}

/// Reads pipeline files. Checks everything that can be checked without I/O beyond reading the file
/// (and, when resolving, the secret references), and reports every problem with its place.
public struct PipelineLoader: Sendable {
    public var registry: ComponentRegistry
    public var secrets: SecretResolver

    public init(registry: ComponentRegistry, secrets: SecretResolver) {
        self.registry = registry
        self.secrets = secrets
    }

    public func load(file: String) throws(PipelineConfigurationError) -> PipelineDefinition {
        let bytes: [UInt8]?
        do {
            bytes = try FileIO.readAll(file)
        } catch {
            throw PipelineConfigurationError(issues: [ConfigIssue(file: file, path: "", message: "cannot read the file: \(error)")])
        }
        guard let bytes else {
            throw PipelineConfigurationError(issues: [ConfigIssue(file: file, path: "", message: "cannot read the file: no such file")])
        }
        return try load(bytes: bytes, file: file)
    }

    public func load(text: String, file: String = "<inline>") throws(PipelineConfigurationError) -> PipelineDefinition {
        try load(bytes: Array(text.utf8), file: file)
    }

    public func load(bytes: [UInt8], file: String) throws(PipelineConfigurationError) -> PipelineDefinition {
        let diagnostics = ConfigDiagnostics(file: file)
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw PipelineConfigurationError(issues: [ConfigIssue(file: file, path: "", message: "invalid JSON: \(error)")])
        }
        let root = ConfigSection(path: "", object: json, diagnostics: diagnostics, secrets: secrets)
        let fileName = FileIO.lastComponent(of: file)
        let defaultName = fileName.lastIndex(of: ".").map { $0 > fileName.startIndex ? String(fileName[..<$0]) : fileName } ?? fileName
        let name = root.string("name", default: defaultName, doc: "the pipeline's name, shown in logs") ?? defaultName
        let dataDirectory = root.requiredString("data_dir", doc: "where checkpoints and dead letters are kept")
        let queueCapacity = root.int("queue_capacity", default: 1024, range: 1...1_000_000)
        let grace = root.double("shutdown_grace_seconds", default: 30)
        if grace < 0 { root.report("shutdown_grace_seconds", "must not be negative") }
        let checkpointInterval = root.int("checkpoint_interval_ms", default: 1000, range: 10...3_600_000)

        var components: [ComponentDefinition] = []
        var names: [String: String] = [:]
        for kind in ComponentKind.allCases {
            let entries = root.namedSections(kind.section)
            if entries.isEmpty, kind != .enricher {
                diagnostics.report(kind.section, "at least one \(kind.rawValue) is required")
            }
            for (componentName, section) in entries {
                if let earlier = names[componentName] {
                    diagnostics.report(section.path, "the name \"\(componentName)\" is already used in \(earlier)")
                }
                names[componentName] = kind.section
                if !Self.isValidName(componentName) {
                    diagnostics.report(section.path, "a name may hold only letters, digits, '_' and '-'")
                }
                if let definition = readComponent(componentName, kind: kind, section: section, diagnostics: diagnostics) {
                    components.append(definition)
                }
            }
        }
        root.finish()
        Self.checkWiring(components, diagnostics: diagnostics)
        if !diagnostics.isEmpty { throw PipelineConfigurationError(issues: diagnostics.issues) }
        return PipelineDefinition(file: file, name: name, dataDirectory: dataDirectory, queueCapacity: queueCapacity,
                                  shutdownGraceSeconds: grace, checkpointIntervalMilliseconds: checkpointInterval,
                                  components: components)
    }

    private func readComponent(_ name: String, kind: ComponentKind, section: ConfigSection,
                               diagnostics: ConfigDiagnostics) -> ComponentDefinition? {
        guard section.members.isEmpty == false || section.contains("type") else {
            section.report(nil, "expected an object with a \"type\"")
            return nil
        }
        var common = CommonKeys.read(section, kind: kind)
        guard !common.type.isEmpty else { return nil }
        guard let entry = registry.entry(kind: kind, type: common.type) else {
            let known = registry.types(of: kind)
            var message = "unknown \(kind.rawValue) type \"\(common.type)\"; known types: \(known.joined(separator: ", "))"
            if let near = Suggestion.nearest(to: common.type, among: known) { message += " (did you mean \"\(near)\"?)" }
            section.report("type", message)
            return nil
        }
        if let defaults = entry.sinkDefaults { common.readSinkKeys(section, defaults: defaults) }
        let prepared = entry.prepare(section)
        section.finish()
        return ComponentDefinition(name: name, kind: kind, type: common.type, inputs: common.inputs, common: common,
                                   prepared: prepared)
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" }
    }

    /// Inputs must name sources or enrichers; enrichers must not form a cycle; sources must be used.
    static func checkWiring(_ components: [ComponentDefinition], diagnostics: ConfigDiagnostics) {
        let producers = components.filter { $0.kind != .sink }
        let producerNames = producers.map(\.name)
        var consumed = Set<String>()
        for component in components where component.kind != .source {
            let place = "\(component.kind.section).\(component.name).inputs"
            if component.inputs.isEmpty { diagnostics.report(place, "at least one input is required") }
            var seen = Set<String>()
            for input in component.inputs {
                if !seen.insert(input).inserted {
                    diagnostics.report(place, "\"\(input)\" is listed twice")
                    continue
                }
                if input == component.name {
                    diagnostics.report(place, "\"\(input)\" takes its own output (a cycle)")
                } else if producerNames.contains(input) {
                    consumed.insert(input)
                } else if components.contains(where: { $0.name == input && $0.kind == .sink }) {
                    diagnostics.report(place, "\"\(input)\" is a sink; inputs name sources or enrichers")
                } else {
                    var message = "\"\(input)\" is not a source or enricher of this pipeline"
                    if let near = Suggestion.nearest(to: input, among: producerNames) { message += " (did you mean \"\(near)\"?)" }
                    diagnostics.report(place, message)
                }
            }
        }
        for producer in producers where !consumed.contains(producer.name) {
            diagnostics.report("\(producer.kind.section).\(producer.name)", "nothing takes its events (no enricher or sink lists it in inputs)")
        }
        // Cycles among enrichers: depth-first search over enricher → enricher inputs.
        let enrichers = Dictionary(uniqueKeysWithValues: components.filter { $0.kind == .enricher }.map { ($0.name, $0.inputs) })
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var reported = Set<String>()
        func visit(_ name: String, _ trail: [String]) {
            if state[name] == 2 { return }
            if state[name] == 1 {
                let cycle = trail.drop { $0 != name } + [name]
                if reported.insert(name).inserted {
                    diagnostics.report("enrichers.\(name).inputs", "cycle: \(cycle.joined(separator: " -> "))")
                }
                return
            }
            state[name] = 1
            for input in enrichers[name] ?? [] where enrichers[input] != nil && input != name { visit(input, trail + [name]) }
            state[name] = 2
        }
        for name in enrichers.keys.sorted() { visit(name, []) }
    }
}

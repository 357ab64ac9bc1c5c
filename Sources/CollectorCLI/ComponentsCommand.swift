import ArgumentParser
import Collector

struct ComponentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "components",
        abstract: "List every component type with its configuration keys, their types and defaults."
    )

    func run() throws {
        for kind in ComponentKind.allCases {
            print("\(kind.section):")
            for component in Registry.make().describe().filter({ $0.kind == kind }).sorted(by: { $0.type < $1.type }) {
                print("  \(component.type): \(component.summary)")
                for key in component.keys {
                    var line = "    \(key.key) (\(key.type))"
                    if key.required { line += " required" }
                    if let value = key.defaultValue { line += " = \(value)" }
                    if !key.doc.isEmpty { line += ": \(key.doc)" }
                    print(line)
                }
            }
        }
    }
}

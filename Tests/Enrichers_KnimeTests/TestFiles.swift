import Foundation

/// Paths of the repository's fixtures, found from this file's place.
enum TestFiles {
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let archiveNames = ["01_ChEMBL_bioactive_compunds.knwf", "Pharmacophores_matrix.knwf", "spatial-weights.knwf"]

    static func archive(_ name: String) -> String {
        repository + "/Sources/KnimeStandIn/Resources/knwf/" + name
    }

    static var expectedLocations: String {
        repository + "/Tests/Enrichers_KnimeTests/Fixtures/expected-locations.json"
    }

    /// A fresh private temporary folder.
    static func temporaryDirectory() -> String {
        var template = Array((NSTemporaryDirectory() + "knime-test-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        return String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }
}

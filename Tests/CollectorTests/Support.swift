import Collector
import CollectorTestKit
import Foundation
import Sinks_File

/// A registry with the test kit's components and the file sinks.
func testRegistry(recorder: EventRecorder = EventRecorder(), events: (@Sendable (Int) -> AuditEvent)? = nil,
                  rejectWhere: (@Sendable (AuditEvent) -> Bool)? = nil) -> ComponentRegistry {
    var registry = ComponentRegistry()
    registry.register(ReplaySourceFactory(make: events ?? { ReplaySource.sampleEvent($0) }))
    registry.register(RecordingSinkFactory(recorder: recorder, rejectWhere: rejectWhere))
    registry.register(FileSinkFactory())
    registry.register(StdoutSinkFactory())
    return registry
}

func readLines(_ path: String) -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}

/// The `"id":"…"` of a JSON line written by the file sink.
func jsonID(_ line: String) -> String? {
    guard let range = line.range(of: #"{"id":""#) else { return nil }
    let rest = line[range.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end])
}

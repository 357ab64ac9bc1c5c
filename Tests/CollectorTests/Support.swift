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

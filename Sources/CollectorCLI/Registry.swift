import Collector
import Enrichers_Knime
import Enrichers_Mask
import Sinks_AMQ
import Sinks_Database
import Sinks_File
import Sinks_Kafka
import Sources_File
import Sources_Denodo
import Sources_KnimeLog
import Sources_Knox

/// Every component type this binary knows: the one place that imports every plugin.
enum Registry {
    static func make() -> ComponentRegistry {
        var registry = ComponentRegistry()
        registry.register(JSONLinesSourceFactory())
        registry.register(KnimeLogSourceFactory())
        registry.register(KnoxAuditSourceFactory())
        registry.register(DenodoAuditSourceFactory())
        registry.register(FileSinkFactory())
        registry.register(StdoutSinkFactory())
        registry.register(KafkaSinkFactory())
        registry.register(AMQSinkFactory())
        registry.register(DatabaseSinkFactory())
        registry.register(KnimeJobEnricherFactory())
        registry.register(KnimeWorkflowEnricherFactory())
        registry.register(KnimeJobsSourceFactory())
        registry.register(MaskEnricherFactory())
        return registry
    }
}

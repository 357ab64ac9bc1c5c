import Collector
import Sinks_File
import Sinks_Kafka

/// Every component type this binary knows: the one place that imports every plugin.
enum Registry {
    static func make() -> ComponentRegistry {
        var registry = ComponentRegistry()
        registry.register(FileSinkFactory())
        registry.register(StdoutSinkFactory())
        registry.register(KafkaSinkFactory())
        return registry
    }
}

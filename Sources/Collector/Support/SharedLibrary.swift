import LazyLibraries

/// The C libraries that only some components need (qpid-proton, librdkafka, libxml2, libarchive) are
/// loaded on first use, not at start (see `Sources/LazyLibraries`). Components load theirs when they
/// are created, so a library that is missing or broken is a configuration error naming the file,
/// reported before the pipeline starts, instead of an abort on first use.
public enum SharedLibrary {
    public enum Name: String, Sendable {
        case proton, rdkafka, xml2, archive
    }

    public static func load(_ names: Name..., component: String) throws {
        for name in names {
            var error = [UInt8](repeating: 0, count: 512)
            let status = error.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { collector_lazy_load(name.rawValue, $0.baseAddress, $0.count) }
            }
            if status != 0 {
                let message = String(decoding: error.prefix { $0 != 0 }, as: UTF8.self)
                throw CollectorError(.configuration, message, context: component)
            }
        }
    }
}

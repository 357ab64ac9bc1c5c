import Collector
import Logging

extension KnimeRESTClient: PipelineResource {}

extension KnimeRESTClient {
    /// A lease on the pipeline's client for `configuration`: components of one pipeline that name the
    /// same server (same URL, credentials and settings) share one client, its connection pool and its
    /// concurrency limit. Made on first use, shut down by the pipeline.
    public static func lease(_ configuration: KnimeClientConfiguration, context: ComponentContext) throws -> ResourceLease<KnimeRESTClient> {
        try context.resources.lease(KnimeRESTClient.self, key: configuration) {
            try KnimeRESTClient(configuration, logger: context.logger)
        }
    }
}

// amq sink benchmark (release build): N events through `AMQSink.write` in engine-sized batches to a
// durable RabbitMQ queue, every message settled `accepted`. Prints messages/s and peak RSS, and
// writes the exact message bodies it sent (4-byte big-endian length + bytes each) so the C peer can
// send the same bytes.
//
//   collector-bench-amq EVENTS BATCH BODIES_OUT
//   environment: COLLECTOR_TEST_AMQP_URL, _USER, _PASSWORD, COLLECTOR_BENCH_AMQP_ADDRESS
import Collector
import CollectorTestKit
import Foundation
import Logging
import EventXML
import Sinks_AMQ

@main
struct AMQBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let count = arguments.count > 1 ? Int(arguments[1])! : 20_000
        let batchSize = arguments.count > 2 ? Int(arguments[2])! : 512
        let bodiesPath = arguments.count > 3 ? arguments[3] : nil
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["COLLECTOR_TEST_AMQP_URL"], let user = environment["COLLECTOR_TEST_AMQP_USER"],
              let address = environment["COLLECTOR_BENCH_AMQP_ADDRESS"] else {
            fatalError("source .build-services/rabbitmq.env and set COLLECTOR_BENCH_AMQP_ADDRESS (scripts/bench-amq does)")
        }
        let json = """
        {"urls": ["\(url)"], "address": "\(address)", "username": "\(user)", "password": "${env:COLLECTOR_TEST_AMQP_PASSWORD}",
         "allow_insecure_plain": true, "window": 256}
        """
        let diagnostics = ConfigDiagnostics(file: "bench")
        let section = ConfigSection(path: "sinks.amq", object: try JSONParser.parse(json), diagnostics: diagnostics,
                                    secrets: SecretResolver(mode: .resolve, environment: environment))
        let configuration = AMQSinkFactory().configuration(section)
        section.finish()
        precondition(diagnostics.isEmpty, "\(diagnostics.issues)")
        let sink = try AMQSinkFactory().makeSink(configuration, context: ComponentContext(
            pipeline: "bench", name: "amq", dataDirectory: "/tmp", logger: Logger(label: "bench")))
        // Events are made batch by batch (as a source would hand them over), so the peak RSS is the
        // sink's own, not that of 20,000 events held at once.
        let event = { (index: Int) in ReplaySource.sampleEvent(index, source: "amq-bench") }
        if let bodiesPath {
            FileManager.default.createFile(atPath: bodiesPath, contents: nil)
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: bodiesPath))
            let xml = AuditEventXML()
            for index in 0..<count {
                var record: [UInt8] = []
                let body = try xml.document([event(index)])
                withUnsafeBytes(of: UInt32(body.count).bigEndian) { record.append(contentsOf: $0) }
                record.append(contentsOf: body)
                try file.write(contentsOf: record)
            }
            try file.close()
        }
        try await sink.start()
        let clock = ContinuousClock()
        let started = clock.now
        var index = 0
        while index < count {
            let batch = (index..<min(index + batchSize, count)).map(event)
            let result = try await sink.write(batch)
            precondition(result.rejected.isEmpty, "rejected: \(result.rejected.first!.reason)")
            index += batch.count
        }
        let elapsed = clock.now - started
        await sink.shutdown()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        print(String(format: "swift amq sink: %d messages accepted in %.3f s = %.0f msg/s (XML encoding included), peak RSS %.1f MiB, CPU %.2f s",
                     count, seconds, Double(count) / seconds, Double(usage.ru_maxrss) / 1024,
                     Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6))
    }
}

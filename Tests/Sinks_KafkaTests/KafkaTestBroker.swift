import Foundation
import Testing

/// The tansu broker started by `scripts/services/kafka` (through `scripts/test`), read from the
/// environment. Missing variables fail the test: these tests never pass silently without a broker.
struct KafkaTestBroker {
    let brokers: String
    let service: String
    let kcat: String

    init() throws {
        let env = ProcessInfo.processInfo.environment
        guard let brokers = env["COLLECTOR_TEST_KAFKA_BROKERS"], let service = env["COLLECTOR_TEST_KAFKA_SERVICE"] else {
            Issue.record("COLLECTOR_TEST_KAFKA_BROKERS/COLLECTOR_TEST_KAFKA_SERVICE are not set: run scripts/test (or scripts/services/kafka install && start, then source .build-services/kafka.env)")
            throw CancellationError()
        }
        self.brokers = brokers
        self.service = service
        self.kcat = env["COLLECTOR_TEST_KAFKA_KCAT"] ?? "kcat"
    }

    /// A new one-partition topic with a unique name.
    func makeTopic(_ prefix: String) throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        try createTopic(name)
        return name
    }

    func createTopic(_ name: String) throws {
        try spawn(service, ["topic", name, "1"])
    }

    func stop() throws { try spawn(service, ["stop"]) }
    func start() throws { try spawn(service, ["start"]) }

    /// posix_spawn + waitpid: Foundation's `Process.waitUntilExit` was seen never to return for a
    /// script that leaves background processes (the broker) behind.
    private func spawn(_ executable: String, _ arguments: [String]) throws {
        var pid: pid_t = 0
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else {
            throw KafkaTestError(message: "cannot run \(executable)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw KafkaTestError(message: "\(executable) \(arguments.joined(separator: " ")) failed (status \(status))")
        }
    }

    struct Record: Equatable {
        var key: String
        var headers: String
        var value: String
    }

    /// Every record of the topic, read from the beginning with kcat.
    /// Every record of the topic; `multiline` separates records by a marker instead of line breaks.
    func consume(_ topic: String, multiline: Bool = false) throws -> [Record] {
        let end = multiline ? "<<end-of-record>>" : "\\n"
        let output = try run(kcat, ["-b", brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                                    "-f", "%k\\t%h\\t%s" + end])
        let records = multiline ? output.components(separatedBy: end).dropLast().map { Substring($0) } : output.split(separator: "\n")
        return records.map { line in
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            return Record(key: fields[0], headers: fields.count > 1 ? fields[1] : "", value: fields.count > 2 ? fields[2] : "")
        }
    }

    @discardableResult
    private func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/\(executable)")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KafkaTestError(message: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

struct KafkaTestError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Every suite that uses the broker runs inside this one, one test at a time: some tests stop and
/// start the broker.
@Suite(.serialized) struct KafkaBrokerTests {}

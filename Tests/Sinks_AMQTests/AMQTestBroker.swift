import Foundation
import Testing

/// The RabbitMQ broker `scripts/services/rabbitmq start` runs, found through the variables it writes
/// to `.build-services/rabbitmq.env`. A missing variable fails the test (never a silent pass).
struct AMQTestBroker: Sendable {
    let url: String
    let tlsURL: String
    let user: String
    let password: String
    let caFile: String
    let otherCAFile: String
    let queue: String
    let address: String
    let control: String
    let python: String

    static func require() throws -> AMQTestBroker {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw TestSetupError("\(name) is not set: run the tests with scripts/test (or run `scripts/services/rabbitmq install && scripts/services/rabbitmq start` and `source .build-services/rabbitmq.env`)")
            }
            return value
        }
        return AMQTestBroker(url: try value("COLLECTOR_TEST_AMQP_URL"), tlsURL: try value("COLLECTOR_TEST_AMQPS_URL"),
                             user: try value("COLLECTOR_TEST_AMQP_USER"), password: try value("COLLECTOR_TEST_AMQP_PASSWORD"),
                             caFile: try value("COLLECTOR_TEST_AMQP_CA"), otherCAFile: try value("COLLECTOR_TEST_AMQP_OTHER_CA"),
                             queue: try value("COLLECTOR_TEST_AMQP_QUEUE"), address: try value("COLLECTOR_TEST_AMQP_ADDRESS"),
                             control: try value("COLLECTOR_TEST_AMQP_CTL"), python: try value("COLLECTOR_TEST_AMQP_PYTHON"))
    }

    /// Runs `scripts/services/rabbitmq <arguments>` (broker-stop, broker-start, purge, count).
    @discardableResult
    func control(_ arguments: String...) throws -> String {
        try Self.run(control, arguments)
    }

    /// Empties the test queue.
    func purge() throws { try control("purge", queue) }

    /// Reads (and accepts) every message on the queue with python-qpid-proton, a separate AMQP client.
    func drain(expecting count: Int? = nil, idleSeconds: Double = 2) throws -> [ReadMessage] {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("amq-read-\(UUID().uuidString).py")
        try Self.readerScript.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let output = try Self.run(python, [script.path, url, user, password, address, String(count ?? -1), String(idleSeconds)])
        return try output.split(separator: "\n").map { line in
            try JSONDecoder().decode(ReadMessage.self, from: Data(line.utf8))
        }
    }

    /// Runs a command with posix_spawn and waitpid (Foundation's `Process.waitUntilExit` can hang when
    /// the command leaves a daemon behind, as `broker-start` does).
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("amq-cmd-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw TestSetupError("cannot start \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw TestSetupError("\(executable) \(arguments.first ?? "") failed (status \(status)): \(errors)")
        }
        return output
    }

    /// Prints one JSON object per message: AMQP properties and the XML as parsed by ElementTree.
    static let readerScript = #"""
import json, sys, xml.etree.ElementTree as ET
from proton.utils import BlockingConnection
from proton import Timeout

url, user, password, address, expected, idle = sys.argv[1:7]
expected = int(expected); idle = float(idle)
conn = BlockingConnection(url, user=user, password=password, allowed_mechs="PLAIN", timeout=30)
receiver = conn.create_receiver(address, credit=200)
count = 0
while expected < 0 or count < expected:
    try:
        m = receiver.receive(timeout=idle if expected < 0 else max(idle, 20))
    except Timeout:
        break
    body = m.body
    if isinstance(body, memoryview):
        body = body.tobytes()
    if isinstance(body, str):
        body = body.encode("utf-8")
    record = {"id": str(m.id), "durable": bool(m.durable), "contentType": m.content_type or "",
              "body": body.decode("utf-8"), "events": [], "error": None}
    try:
        root = ET.fromstring(body)
        record["root"] = root.tag
        for ev in root:
            def text(path):
                el = ev.find(path)
                return None if el is None else (el.text or "")
            ns = root.tag[1:root.tag.index("}")] if root.tag.startswith("{") else ""
            q = lambda p: "/".join("{%s}%s" % (ns, part) for part in p.split("/")) if ns else p
            infos = [[el.get("name"), el.text or ""] for el in ev.findall(q("action/additionalInfo"))]
            record["events"].append({
                "tag": ev.tag,
                "actorId": text(q("actor/id")), "actorName": text(q("actor/name")),
                "component": text(q("application/component")), "hostName": text(q("application/hostName")),
                "application": text(q("application/name")),
                "actionType": text(q("action/actionType")), "timestamp": text(q("action/timestamp")),
                "info": infos})
    except ET.ParseError as e:
        record["error"] = str(e)
    receiver.accept()
    print(json.dumps(record), flush=True)
    count += 1
conn.close()
"""#
}

/// One message read back from the queue.
struct ReadMessage: Decodable, Sendable {
    var id: String
    var durable: Bool
    var contentType: String
    var body: String
    var root: String?
    var error: String?
    var events: [ReadEvent]

    struct ReadEvent: Decodable, Sendable {
        var tag: String
        var actorId: String?
        var actorName: String?
        var component: String?
        var hostName: String?
        var application: String?
        var actionType: String?
        var timestamp: String?
        var info: [[String]]

        func info(_ name: String) -> [String] { info.filter { $0.first == name }.map { $0[1] } }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

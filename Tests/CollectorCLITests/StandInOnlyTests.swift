import Collector
import CollectorTestKit
import Foundation
import Testing

/// `collector demo --stand-in-only`: the stand-in served alone, for a collector in another process.
@Suite("collector demo --stand-in-only")
struct StandInOnlyTests {
    @Test func servesWithCredentialsWritesTheLogAndStopsOnSIGTERM() throws {
        let folder = PipelineHarness.temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = ["demo", "--stand-in-only", "--jobs", "7", "--directory", folder]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The variables come on stdout, one per line, KNIME_DEMO_JOBS last.
        var text = ""
        while !text.contains("KNIME_DEMO_JOBS=") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        var variables: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        let url = try #require(variables["KNIME_DEMO_URL"], "no URL in: \(text)")
        let password = try #require(variables["KNIME_DEMO_PASSWORD"])
        #expect(variables["KNIME_DEMO_USER"] == "demo" && variables["KNIME_DEMO_JOBS"] == "7")
        let log = try #require(variables["KNIME_DEMO_LOG"])
        let lines = try String(contentsOfFile: log, encoding: .utf8)
        #expect(lines.components(separatedBy: "finished with state").count - 1 == 7)

        let address = try #require(URL(string: url))
        func status(_ credentials: String?) throws -> Int {
            try Self.httpStatus(port: try #require(address.port), path: address.path + "/jobs/", credentials: credentials)
        }
        #expect(try status(nil) == 401)
        #expect(try status("demo:" + password) == 200)

        process.terminate()   // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }

    /// The status code of `GET path` on 127.0.0.1:port (HTTP/1.0, plain POSIX sockets).
    static func httpStatus(port: Int, path: String, credentials: String?) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var request = "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n"
        if let credentials { request += "Authorization: Basic \(Data(credentials.utf8).base64EncodedString())\r\n" }
        request += "\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !response.contains(UInt8(ascii: "\n")) {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        // "HTTP/1.1 200 OK"
        let parts = String(decoding: response, as: UTF8.self).split(separator: " ")
        return parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    }
}

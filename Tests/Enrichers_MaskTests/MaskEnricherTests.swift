import Collector
import CollectorTestKit
import Foundation
import Testing
@testable import Enrichers_Mask

/// The switches one by one, secrets whatever the switches, and the keyed tokens.
@Suite struct MaskEnricherTests {
    static let event = AuditEvent(
        id: "e1", time: EventTime(millisecondsSinceEpoch: 0),
        actor: Actor(id: "maria", name: "maria", proxyUser: "svc_etl", clientIP: "192.168.10.20", authMethod: "LOCAL", session: "s-1"),
        action: Action(type: "CREATE", outcome: .success),
        resource: Resource(type: "uri", name: "https://etl:pa55@db.example.org:5432/sales?user=x&password=hunter2"),
        application: Application(name: "Denodo", component: "Scheduler", host: "sched1.corp.example"),
        attributes: [
            "Arguments": #"{"dataSource":"pg","password":"s3cret","host":"10.1.2.3"}"#,
            "settings": "jdbc:postgresql://10.1.2.3:5432/x?password=abc;keytab=/etc/security/etl.keytab",
            "message": "connected from 10.9.8.7 to warehouse.example.org:8443 as maria, ipv6 fe80::1 at 10:15:30",
            "db_password": "plain",
            "owner": "maria",
            "ClientIP": "192.168.10.20",
            "executorHost": "exec1.corp.example",
            "kerberos": "kinit -kt /home/etl/etl.keytab etl@CORP",
            "jobId": "job-1",
        ])

    /// Runs `event` through replay → mask (configured by `section`) → recording, a real pipeline.
    func masked(_ section: String, environment: [String: String] = [:], _ event: AuditEvent = event) async throws -> AuditEvent {
        let recorder = EventRecorder()
        var registry = ComponentRegistry()
        registry.register(MaskEnricherFactory())
        registry.register(RecordingSinkFactory(recorder: recorder))
        registry.register(OneEventSourceFactory(event: event))
        let folder = PipelineHarness.temporaryDirectory("mask")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await PipelineHarness(registry: registry, environment: environment).runUntilIdle("""
        { "name": "m", "data_dir": "\(folder)", "sources": { "in": { "type": "one_event" } },
          "enrichers": { "mask": { "type": "mask", "inputs": ["in"] \(section.isEmpty ? "" : ", " + section) } },
          "sinks": { "rec": { "type": "recording", "inputs": ["mask"] } } }
        """)
        return try #require(recorder.events.first)
    }

    func secretsAreMasked(_ out: AuditEvent) {
        #expect(out.resource.name.contains("pa55") == false && out.resource.name.contains("hunter2") == false, "\(out.resource.name)")
        #expect(out.resource.name.contains(":****@") && out.resource.name.contains("password=****"))
        #expect(out.attributes["Arguments"]?.contains(#""password":"****""#) == true, "\(out.attributes["Arguments"] ?? "")")
        #expect(out.attributes["settings"]?.contains("password=****") == true && out.attributes["settings"]?.contains("keytab=****") == true)
        #expect(out.attributes["db_password"] == "****")
        #expect(out.attributes["kerberos"] == "kinit -kt **** etl@CORP")
        for value in [out.resource.name] + out.attributes.map(\.value) {
            for secret in ["pa55", "hunter2", "s3cret", "abc;", "plain", "etl.keytab"] {
                #expect(!value.contains(secret), "\(secret) left in \(value)")
            }
        }
    }

    @Test func defaultsMaskEverythingWithoutAKeyAsStars() async throws {
        let out = try await masked("")
        secretsAreMasked(out)
        #expect(out.actor.name == "****" && out.actor.id == "****" && out.actor.proxyUser == "****")
        #expect(out.actor.clientIP == "****")
        #expect(out.application.host == "****")
        #expect(out.attributes["owner"] == "****" && out.attributes["ClientIP"] == "****" && out.attributes["executorHost"] == "****")
        #expect(out.attributes["message"] == "connected from **** to **** as maria, ipv6 **** at 10:15:30")
        #expect(out.resource.name == "https://****:****@****/sales?user=x&password=****")
        #expect(out.attributes["jobId"] == "job-1" && out.actor.session == "s-1" && out.actor.authMethod == "LOCAL")
    }

    @Test func allSwitchesOffStillMasksSecrets() async throws {
        for section in [#""all": "false""#, #""ip": false, "user": false, "environment": false"#, #""all": "false", "ip": true"#] {
            let out = try await masked(section)
            secretsAreMasked(out)
            #expect(out.actor == Self.event.actor, "\(section)")
            #expect(out.application == Self.event.application)
            #expect(out.attributes["message"] == Self.event.attributes["message"])
            #expect(out.resource.name == "https://etl:****@db.example.org:5432/sales?user=x&password=****")
        }
    }

    @Test func eachSwitchAlone() async throws {
        let ip = try await masked(#""ip": true, "user": false, "environment": false"#)
        #expect(ip.actor.clientIP == "****" && ip.attributes["ClientIP"] == "****")
        #expect(ip.actor.name == "maria" && ip.application.host == "sched1.corp.example")
        #expect(ip.attributes["message"] == "connected from **** to warehouse.example.org:8443 as maria, ipv6 **** at 10:15:30")
        #expect(ip.attributes["settings"]?.hasPrefix("jdbc:postgresql://****:5432/x") == true, "\(ip.attributes["settings"] ?? "")")

        let user = try await masked(#""ip": false, "user": true, "environment": false"#)
        #expect(user.actor.name == "****" && user.actor.id == "****" && user.actor.proxyUser == "****" && user.attributes["owner"] == "****")
        #expect(user.actor.clientIP == "192.168.10.20" && user.application.host == "sched1.corp.example")
        #expect(user.resource.name == "https://****:****@db.example.org:5432/sales?user=x&password=****")

        let environment = try await masked(#""ip": false, "user": false, "environment": true"#)
        #expect(environment.application.host == "****" && environment.attributes["executorHost"] == "****")
        #expect(environment.attributes["message"] == "connected from 10.9.8.7 to **** as maria, ipv6 fe80::1 at 10:15:30")
        #expect(environment.resource.name == "https://etl:****@****/sales?user=x&password=****")
        #expect(environment.attributes["settings"]?.hasPrefix("jdbc:postgresql://****/x") == true)
        #expect(environment.actor == Self.event.actor)

        let all = try await masked(#""all": "true", "ip": false, "user": false, "environment": false"#)
        #expect(all.actor.clientIP == "****" && all.actor.name == "****" && all.application.host == "****", "all: true wins over the switches")
    }

    @Test func keyedTokensAreStablePerKeyAndDifferAcrossKeys() async throws {
        let keyA = try await masked(#""key": "${env:MASK_KEY}""#, environment: ["MASK_KEY": "first key"])
        let keyA2 = try await masked(#""key": "${env:MASK_KEY}""#, environment: ["MASK_KEY": "first key"])
        let keyB = try await masked(#""key": "${env:MASK_KEY}""#, environment: ["MASK_KEY": "second key"])
        let token = try #require(keyA.actor.name)
        #expect(token.hasPrefix("masked:") && token.count == 7 + 16 && token.dropFirst(7).allSatisfy(\.isHexDigit), "\(token)")
        // The same user, wherever it appears, and again in another run: the same token.
        #expect(keyA.actor.id == token && keyA.attributes["owner"] == token && keyA2.actor.name == token)
        #expect(keyB.actor.name != token && keyB.actor.name?.hasPrefix("masked:") == true)
        #expect(keyA.actor.clientIP == keyA.attributes["ClientIP"] && keyA.actor.clientIP != token)
        // Another user: another token.
        var other = Self.event
        other.actor.name = "joe"
        #expect(try await masked(#""key": "${env:MASK_KEY}""#, environment: ["MASK_KEY": "first key"], other).actor.name != token)
        // Secrets are never hashed, with a key too.
        secretsAreMasked(keyA)
        #expect(keyA.attributes["db_password"] == "****")
    }

    @Test func aSecretReferenceIsRequiredForTheKey() async throws {
        await #expect(throws: (any Error).self) { try await masked(#""key": "literal key""#) }
    }
}

/// A source that emits one event, then ends.
struct OneEventSourceFactory: SourceFactory {
    let event: AuditEvent
    var type: String { "one_event" }
    var summary: String { "emits one event (test)" }
    func configuration(_ config: ConfigSection) -> Int { 0 }
    func makeSource(_ configuration: Int, context: ComponentContext) throws -> any Source {
        ReplaySource(events: [event])
    }
}

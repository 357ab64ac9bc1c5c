import Collector
import CollectorTestKit
import Foundation
import Testing

/// Broker outages with disk buffers, through the real binary and the KNIME stand-in. Part of the
/// serialized broker suite (they stop the broker and share the queue).
extension AMQBrokerTests {
    @Test("broker down 60 s while 1,000 jobs finish: the file gets them meanwhile, the queue after, all with job details")
    func brokerOutageWhileJobsFinish() async throws {
        let broker = try AMQTestBroker.require()
        var plan = KnimeOutageRig.Plan()
        plan.jobs = 1000
        plan.feedSeconds = 30
        plan.kills = 0
        plan.outageStart = 0
        plan.outageSeconds = 60
        plan.copytruncate = false
        plan.discardAfterMilliseconds = 20_000
        let jobs = plan.jobs
        let rig = KnimeOutageRig(plan: plan, broker: broker)
        let outcome = try await rig.run(duringOutageAfterFeed: {
            // Still inside the outage: every job must reach the file without waiting for the broker.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(24)
            while clock.now < deadline, rig.fileJobIDs().count < jobs {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(rig.fileJobIDs().count == jobs, "the file sink waited for the down broker")
        })
        #expect(outcome.queueJobs == plan.jobs)
    }

    @Test("chaos: SIGKILLs, a broker outage and a copytruncate lose no job and no job details (shortened; scripts/chaos runs it full size)")
    func chaos() async throws {
        let broker = try AMQTestBroker.require()
        let plan = KnimeOutageRig.Plan.fromEnvironment(KnimeOutageRig.Plan())
        let outcome = try await KnimeOutageRig(plan: plan, broker: broker).run()
        #expect(outcome.summary.hasPrefix("chaos: PASS"), "\(outcome.summary)")
    }
}

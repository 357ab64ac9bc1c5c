import Foundation

/// A day of KNIME jobs of mixed states over the real workflows, with a few that misbehave: what
/// the demo, the end-to-end test and the benchmark run.
public struct StandInScenario: Sendable {
    public var workflows: [StandInWorkflow]
    public var jobs: [StandInJob]

    /// Repository paths of the three real archives.
    public static let repository: [(path: String, file: String)] = [
        ("/Examples/ChEMBL bioactive compounds", "01_ChEMBL_bioactive_compunds.knwf"),
        ("/Research/Pharmacophores matrix", "Pharmacophores_matrix.knwf"),
        ("/Team A/Geo/Spatial weights", "spatial-weights.knwf"),
    ]

    static let owners = ["victor", "ana maria", "j.smith (ops)", "knime-svc"]
    static let states = ["EXECUTION_FINISHED", "EXECUTION_FINISHED", "EXECUTION_FAILED", "EXECUTION_FINISHED",
                         "EXECUTION_CANCELLED", "EXECUTION_FAILED_WITH_CONTENT", "EXECUTION_FINISHED"]

    /// `count` jobs spread over the UTC day starting at `dayStartMilliseconds`. With `faults`, job 3
    /// is discarded (404), job 5 answers 500 twice first, job 7 is slow. With `executedDirectory`, the
    /// workflows are served as executed copies (intermediate data included) written there.
    public static func day(count: Int, dayStartMilliseconds: Int64, archiveDirectory: String = StandInArchives.realDirectory,
                           faults: Bool = true, executedDirectory: String? = nil) throws -> StandInScenario {
        let workflows = try repository.map { entry -> StandInWorkflow in
            let real = archiveDirectory + "/" + entry.file
            guard let executedDirectory else { return StandInWorkflow(path: entry.path, body: .archive(real)) }
            let copy = executedDirectory + "/executed-" + entry.file
            try StandInArchives.writeExecutedCopy(of: real, to: copy)
            return StandInWorkflow(path: entry.path, body: .archive(copy))
        }
        let step = 86_000_000 / Int64(max(count, 1))
        let jobs = (0..<count).map { index -> StandInJob in
            let workflow = repository[index % repository.count].path
            let state = states[index % states.count]
            let start = dayStartMilliseconds + 60_000 + Int64(index) * step
            var behaviour = StandInJob.Behaviour.normal
            if faults {
                if index == 3 { behaviour = .discarded }
                if index == 5 { behaviour = .failing(count: 2) }
                if index == 7 { behaviour = .slow(milliseconds: 1_500) }
            }
            let failed = state.hasPrefix("EXECUTION_FAILED")
            let id = UUID(uuid: uuid(index, seed: dayStartMilliseconds)).uuidString.lowercased()
            let name = "\(workflow.split(separator: "/").last!) \(StandInTomcatLog.timestamp(milliseconds: start))"
            return StandInJob(id: id, name: name, owner: owners[index % owners.count], state: state, workflow: workflow,
                              createdAt: start - 850, startedAt: start, finishedAt: start + 5_000 + Int64(index % 11) * 1_237,
                              errorNode: failed ? "Excel Writer 3:294" : nil,
                              errorMessage: failed ? "Execute failed: Invoking Kerberos init (kinit) failed." : nil,
                              behaviour: behaviour, dateForm: index % 3)
        }
        return StandInScenario(workflows: workflows, jobs: jobs)
    }

    public func install(on server: KnimeStandInServer) {
        workflows.forEach(server.add)
        jobs.forEach(server.add)
    }

    static func uuid(_ index: Int, seed: Int64) -> uuid_t {
        var bytes = [UInt8](repeating: 0, count: 16)
        var state = UInt64(bitPattern: seed) &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
        for i in 0..<16 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])
    }
}

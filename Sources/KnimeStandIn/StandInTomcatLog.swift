import Foundation

/// Writes KNIME Server's Tomcat lines (JULI OneLineFormatter) for jobs, the way a real server's
/// `localhost.YYYY-MM-DD.log` shows them: load, execute (manager and executor), finished with state.
public enum StandInTomcatLog {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `dd-MMM-yyyy HH:mm:ss.SSS` in UTC.
    public static func timestamp(milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let ms = Int(((milliseconds % 1000) + 1000) % 1000)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(two(c.day!))-\(months[c.month! - 1])-\(c.year!) \(two(c.hour!)):\(two(c.minute!)):\(two(c.second!)).\(msText)"
    }

    /// `localhost.YYYY-MM-DD.log` for the UTC day of `milliseconds`.
    public static func fileName(milliseconds: Int64) -> String {
        let stamp = timestamp(milliseconds: milliseconds)
        let parts = stamp.prefix(11).split(separator: "-")
        let month = (months.firstIndex(of: String(parts[1]))! + 1)
        return "localhost.\(parts[2])-\(month < 10 ? "0" : "")\(month)-\(parts[0]).log"
    }

    /// The lines of one job's life, oldest first.
    public static func lines(for job: StandInJob) -> [(milliseconds: Int64, line: String)] {
        let label = "\(job.workflow) (\(job.name); \(job.id))"
        let tag = 700 + Int(job.id.utf8.reduce(0) { ($0 &+ UInt32($1)) % 200 })
        let executor = "[Distributed executor message handler for Envelope(deliveryTag=\(tag), redeliver=false, exchange=knime-executor2server, routingKey=job.\(job.id))]"
        let http = "[https-jsse-nio-8443-exec-\(tag % 10 + 1)]"
        var out: [(Int64, String)] = [
            (job.createdAt, "\(timestamp(milliseconds: job.createdAt)) INFO \(http) com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.loadWorkflow Loading workflow '\(job.workflow)' for user '\(job.owner)'"),
            (job.startedAt, "\(timestamp(milliseconds: job.startedAt)) INFO \(http) com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.execute Executing job '\(label)' (UUID \(job.id))"),
            (job.startedAt + 3, "\(timestamp(milliseconds: job.startedAt + 3)) INFO \(http) com.knime.enterprise.server.executor.msgq.RabbitMQExecutorImpl.execute Executing job '\(label)' via executor group 'knime-jobs', executor '01f57cec-9d63-4a4c-9f58-7c1bd1b40a37@node003.example.com'"),
            (job.finishedAt, "\(timestamp(milliseconds: job.finishedAt)) INFO \(executor) com.knime.enterprise.server.executor.msgq.StatusMessageHandler.updateJob Job: \(job.name) (\(job.id)) of owner \(job.owner) finished with state \(job.state)"),
        ]
        if job.behaviour == .discarded {
            let at = job.finishedAt + 5
            out.append((at, "\(timestamp(milliseconds: at)) INFO \(http) com.knime.enterprise.server.jobs.WorkflowJobManagerImpl.discardInternal Discarding job '\(label)' (UUID \(job.id))"))
        }
        return out
    }

    /// Appends the lines of `jobs` (sorted by time) to the day files in `directory`; returns the files written.
    @discardableResult
    public static func write(_ jobs: [StandInJob], to directory: String) throws -> [String] {
        let all = jobs.flatMap { lines(for: $0) }.sorted { $0.milliseconds < $1.milliseconds }
        var byFile: [String: String] = [:]
        var order: [String] = []
        for (ms, line) in all {
            let name = fileName(milliseconds: ms)
            if byFile[name] == nil { order.append(name) }
            byFile[name, default: ""] += line + "\n"
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        for name in order {
            let path = directory + "/" + name
            if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(byFile[name]!.utf8))
            try handle.close()
            written.append(path)
        }
        return written
    }
}

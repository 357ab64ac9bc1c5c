import ArgumentParser
import Collector
import Seal

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check sealed audit files and their signed digests.",
        discussion: """
            PATH is a folder (every sealed file in it) or a file (the sealed file it belongs to). Prints every modified, \
            deleted, inserted or reordered record, truncated or deleted file, and missing, re-ordered or wrongly signed digest \
            as FILE:LINE: message, then a summary. Records written after the last digest are checked and listed as not signed \
            yet. Exits 0 when everything verifies and is signed, 1 otherwise.
            """
    )

    @Argument(help: "Folders or files of sealed file sinks.")
    var paths: [String]

    @Option(help: "The public key: a file written by `collector seal-keygen` (PATH.pub) or the key itself (ed25519:…).")
    var publicKey: String

    @Flag(help: "Exit 0 even when records after the last digest are not signed yet (a running collector's open file).")
    var allowUnsigned = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one folder or file") }
        _ = try key()
    }

    func key() throws -> SealPublicKey {
        var text = publicKey
        if FileIO.exists(publicKey) {
            guard let bytes = try FileIO.readAll(publicKey, limit: 4096) else { throw ValidationError("cannot read \(publicKey)") }
            text = String(decoding: bytes, as: UTF8.self)
        }
        do { return try SealPublicKey(text: text) } catch { throw ValidationError("--public-key: \(error)") }
    }

    func run() throws {
        let report = SealVerifier(publicKey: try key()).verify(paths)
        for finding in report.findings { print(finding.description) }
        print("verified: \(report.summary)")
        let problems = report.problems.count
        let unsigned = report.unsigned.count
        if report.isClean(allowUnsigned: allowUnsigned) {
            print(unsigned > 0 ? "result: OK, except records not signed yet (allowed by --allow-unsigned)" : "result: OK")
            return
        }
        print("result: \(problems) problems" + (unsigned > 0 ? ", and records not signed yet" : ""))
        throw ExitCode.failure
    }
}

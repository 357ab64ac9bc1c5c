#if canImport(Glibc)
import Glibc
#endif
import Collector

/// Checks sealed audit files and their digests against a public key (`collector verify`).
///
/// For every sealed file name found (the digests name it), the digests must be numbered 1, 2, …
/// without gaps, each signed by the key and chained to the previous one's signature, and must
/// continue each other's seq and chain. The files they name (followed through the renames and
/// deletions of file rolls) must hold exactly the records signed; every record's chain must hold.
/// Records after the last digest are checked too and reported as not signed yet: nothing is
/// accepted silently, and nothing in the audit files can make the verifier skip a check.
public struct SealVerifier: Sendable {
    public let publicKey: SealPublicKey

    public init(publicKey: SealPublicKey) {
        self.publicKey = publicKey
    }

    /// Verifies folders (every sealed file in them) and files (the sealed file they belong to).
    public func verify(_ paths: [String]) -> SealReport {
        var report = SealReport()
        var targets: [(folder: String, file: String?)] = []
        for path in paths {
            let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            var info = stat()
            guard stat(trimmed, &info) == 0 else {
                report.findings.append(SealFinding(.problem, path: trimmed, "no such file or folder"))
                continue
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                targets.append((trimmed, nil))
            } else {
                let folder = FileIO.parent(of: trimmed)
                let name = FileIO.lastComponent(of: trimmed)
                let files = Set((FileIO.list(folder) ?? []).compactMap { SealDigestName.parse($0)?.file })
                let file = SealDigestName.parse(name)?.file
                    ?? files.filter { name == $0 || name.hasPrefix($0 + ".") }.max { $0.count < $1.count }
                    ?? name
                targets.append((folder, file))
            }
        }
        var done = Set<String>()
        for target in targets {
            let files = target.file.map { [$0] }
                ?? Array(Set((FileIO.list(target.folder) ?? []).compactMap { SealDigestName.parse($0)?.file })).sorted()
            if files.isEmpty {
                report.findings.append(SealFinding(.problem, path: target.folder, "no digest files (*.digest-NNNNNN.json): nothing sealed here"))
            }
            for file in files where done.insert(target.folder + "/" + file).inserted {
                SealFileVerifier(publicKey: publicKey, folder: target.folder, file: file).run(into: &report)
            }
        }
        return report
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Collector

/// What one roll of a `file` sink does, decided before anything is touched: renames in order (a
/// rename replaces its target), then deletions of the rolled files beyond `keep`. A sealed sink
/// signs the plan in a digest before doing it, so `collector verify` can follow every file.
struct FileRollPlan {
    var renames: [(from: String, to: String)]
    var deletions: [String]

    /// The plan for the open file `path` of local day `day` (names are relative to its folder).
    static func make(path: String, day: String, rotation: FileSinkConfiguration.Rotation) -> FileRollPlan {
        let folder = FileIO.parent(of: path)
        let base = FileIO.lastComponent(of: path)
        var renames: [(from: String, to: String)] = []
        var deletions: [String] = []
        var newest: String?
        if rotation.daily {
            var target = "\(base).\(day)"
            var index = 1
            while FileIO.exists("\(folder)/\(target)") {
                target = "\(base).\(day).\(index)"
                index += 1
            }
            renames.append((base, target))
            newest = target
        } else if rotation.keep > 0 {
            for index in stride(from: rotation.keep - 1, through: 1, by: -1) where FileIO.exists("\(folder)/\(base).\(index)") {
                renames.append(("\(base).\(index)", "\(base).\(index + 1)"))
            }
            renames.append((base, "\(base).1"))
            newest = "\(base).1"
        } else {
            deletions.append(base)
        }
        // Rolled files after the renames, newest first; those beyond `keep` are deleted.
        var rolled: [(name: String, mtime: Int)] = []
        let renamedAway = Set(renames.map(\.from))
        let renamedOnto = Set(renames.map(\.to))
        for name in FileIO.list(folder) ?? [] where isRolled(name, base: base) {
            var info = stat()
            guard stat("\(folder)/\(name)", &info) == 0 else { continue }
            let mtime = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
            if let rename = renames.first(where: { $0.from == name }) {
                rolled.append((rename.to, mtime))
            } else if !renamedAway.contains(name), !renamedOnto.contains(name) {
                rolled.append((name, mtime))
            }
        }
        if let newest { rolled.append((newest, Int.max)) }
        rolled.sort { $0.mtime != $1.mtime ? $0.mtime > $1.mtime : $0.name > $1.name }
        deletions += rolled.dropFirst(rotation.keep).map(\.name)
        return FileRollPlan(renames: renames, deletions: deletions)
    }

    static func isRolled(_ name: String, base: String) -> Bool {
        guard name.hasPrefix(base + ".") else { return false }
        let suffix = name.dropFirst(base.count + 1)
        return !suffix.isEmpty && suffix.allSatisfy { $0.isNumber || $0 == "-" || $0 == "." }
    }

    /// Does the plan; a rename or deletion whose file is already gone (a roll finished after a crash) is skipped.
    func apply(in folder: String) throws {
        for rename in renames where FileIO.exists("\(folder)/\(rename.from)") {
            guard Glibc.rename("\(folder)/\(rename.from)", "\(folder)/\(rename.to)") == 0 else {
                throw CollectorError(.io, "cannot roll over to \(rename.to): \(FileIO.errorText())", isRetriable: true,
                                     context: "\(folder)/\(rename.from)")
            }
        }
        for name in deletions { unlink("\(folder)/\(name)") }
        try FileIO.syncDirectory(folder)
    }
}

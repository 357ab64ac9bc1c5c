import ArgumentParser
import Collector
import Glibc
import Seal

struct SealKeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seal-keygen",
        abstract: "Make an Ed25519 key pair for sealed file sinks.",
        discussion: """
            Writes the private key to PATH (mode 0600; name it in a sink's seal.key as ${file:PATH}) and the public key to \
            PATH.pub, and prints the public key: keep a copy away from the audited machine, `collector verify` needs it.
            """
    )

    @Argument(help: "Where to write the private key, e.g. /etc/collector/seal.key (an existing file is not replaced).")
    var path: String

    func run() throws {
        let key = SealPrivateKey()
        let publicPath = path + ".pub"
        for existing in [path, publicPath] where FileIO.exists(existing) {
            throw ValidationError("\(existing) exists: move it away first (replacing a seal key breaks verification of what it signed)")
        }
        try FileIO.makeDirectories(FileIO.parent(of: path))
        try write(Array((key.text + "\n").utf8), to: path, mode: 0o600)
        try write(Array((key.publicKey.text + "\n").utf8), to: publicPath, mode: 0o644)
        print(key.publicKey.text)
        print("private key: \(path) (0600), public key: \(publicPath), key id \(key.publicKey.id)")
    }

    /// Creates the file with its final mode from the start (O_EXCL: never through a wider mode).
    func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CollectorError(.io, "cannot create: \(FileIO.errorText())", context: path) }
        defer { close(fd) }
        fchmod(fd, mode)
        try bytes.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
        try FileIO.sync(fd, path: path)
    }
}

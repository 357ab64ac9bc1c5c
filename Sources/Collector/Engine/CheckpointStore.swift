#if canImport(Glibc)
import Glibc
#endif

/// Per-source positions in `<data_dir>/checkpoints/`, durable and torn-write safe.
///
/// Each source has two slots, `<name>.0` and `<name>.1`; generation g is written to slot g % 2 through
/// a temp file, fsync, rename and a folder fsync, so the previous generation always survives. A slot
/// is framed (magic, version, generation, length, CRC-32): a torn or damaged one is detected and the
/// other used. If no valid generation remains where one existed, loading fails loudly rather than
/// starting over from zero or from the end.
public struct CheckpointStore: Sendable {
    public let directory: String
    private static let magic: [UInt8] = Array("CCKP".utf8)
    private static let version: UInt32 = 1

    public init(dataDirectory: String) {
        directory = dataDirectory + "/checkpoints"
    }

    public struct Loaded: Sendable, Equatable {
        public var checkpoint: Checkpoint
        public var generation: UInt64
        /// Slots that existed but could not be used (shown as warnings).
        public var damaged: [String]
    }

    public func load(source: String) throws -> Loaded? {
        var best: (Checkpoint, UInt64)?
        var damaged: [String] = []
        for slot in 0..<2 {
            let path = slotPath(source, slot)
            guard let bytes = try FileIO.readAll(path) else { continue }
            guard let (checkpoint, generation) = Self.decode(bytes) else {
                damaged.append(path)
                continue
            }
            if generation > (best?.1 ?? 0) || best == nil { best = (checkpoint, generation) }
        }
        guard let best else {
            if !damaged.isEmpty {
                throw CollectorError(.checkpoint,
                    "every checkpoint generation is damaged (\(damaged.joined(separator: ", "))); refusing to guess a position. Inspect them, then delete them to re-read the input from its beginning",
                    context: "source \(source)")
            }
            return nil
        }
        return Loaded(checkpoint: best.0, generation: best.1, damaged: damaged)
    }

    public func save(source: String, checkpoint: Checkpoint, generation: UInt64) throws {
        try FileIO.makeDirectories(directory)
        try FileIO.writeAtomically(Self.encode(checkpoint, generation: generation), to: slotPath(source, Int(generation % 2)))
    }

    func slotPath(_ source: String, _ slot: Int) -> String { "\(directory)/\(source).\(slot)" }

    static func encode(_ checkpoint: Checkpoint, generation: UInt64) -> [UInt8] {
        var out = magic
        appendInteger(version, &out)
        appendInteger(generation, &out)
        appendInteger(UInt32(checkpoint.bytes.count), &out)
        out += checkpoint.bytes
        let crc = CRC32.checksum(out)
        appendInteger(crc, &out)
        return out
    }

    static func decode(_ bytes: [UInt8]) -> (Checkpoint, UInt64)? {
        let header = 4 + 4 + 8 + 4
        guard bytes.count >= header + 4, Array(bytes[0..<4]) == magic,
              readInteger(bytes, 4, UInt32.self) == version else { return nil }
        let generation = readInteger(bytes, 8, UInt64.self)
        let length = Int(readInteger(bytes, 16, UInt32.self))
        guard bytes.count == header + length + 4 else { return nil }
        guard CRC32.checksum(bytes[0..<(header + length)]) == readInteger(bytes, header + length, UInt32.self) else { return nil }
        return (Checkpoint(Array(bytes[header..<(header + length)])), generation)
    }

    private static func appendInteger<T: FixedWidthInteger>(_ value: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    private static func readInteger<T: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int, _: T.Type) -> T {
        var value: T = 0
        for index in 0..<MemoryLayout<T>.size { value = value << 8 | T(bytes[offset + index]) }
        return value
    }
}

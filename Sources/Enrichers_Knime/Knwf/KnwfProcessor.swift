import Archive
import LibXML
#if canImport(Glibc)
import Glibc
#endif

/// Filters a workflow archive (.knwf) to its configuration and extracts its data locations.
///
/// Two streaming passes with libarchive: the first reads only the listing (entry count, declared
/// sizes, the workflow's root folder); the second copies configuration entries of that root folder
/// to `output` and parses each settings.xml. Intermediate data is skipped without being
/// decompressed. Entries that could escape or do not belong to the workflow (`..`, absolute paths,
/// links, special files, files at the top level, a second top-level folder) are never written nor
/// read: they are counted and the first few named in `KnwfResult.skipped`, and everything inside the
/// root folder is still used. A limit passed (entries, declared or kept bytes, compression ratio)
/// refuses the whole archive (throws `KnwfError`, `output` is removed). Blocking: call it off the
/// cooperative pool.
public struct KnwfProcessor: Sendable {
    public var limits: KnwfLimits

    public init(limits: KnwfLimits = KnwfLimits()) {
        self.limits = limits
    }

    /// How many skipped entries are named in the result (the rest are only counted).
    public static let namedSkippedEntries = 10

    static let keptNames: Set<String> = ["settings.xml", "workflow.knime", "workflow.svg", "workflowset.meta", "workflow-metadata.xml"]

    /// Filters `input` into `output` (nil: only extract the locations, write nothing).
    public func process(input: String, output: String?) throws -> KnwfResult {
        let root = try listing(input)
        do {
            return try copy(input: input, output: output, root: root)
        } catch {
            if let output { _ = output.withCString { unlink($0) } }
            throw error
        }
    }

    /// Pass 1: checks every header against the limits and returns the workflow's root folder: the
    /// first top-level folder holding `workflow.knime`, else the first top-level folder.
    func listing(_ input: String) throws -> String {
        let reader = try open(input)
        var count = 0
        var declared: Int64 = 0
        var firstFolder: String?
        var workflowRoot: String?
        while let entry = try next(reader) {
            count += 1
            if count > limits.maxEntries { throw KnwfError("more than \(limits.maxEntries) entries") }
            declared += max(entry.declaredSize ?? 0, 0)
            if declared > limits.maxDeclaredBytes {
                throw KnwfError("entries declare more than \(limits.maxDeclaredBytes) bytes uncompressed")
            }
            let place = Self.place(entry)
            guard place.refusal == nil, let first = place.components.first else { continue }
            if place.components.count == 1, entry.kind != .directory { continue }
            if firstFolder == nil { firstFolder = first }
            if workflowRoot == nil, entry.kind == .file, place.components.count == 2, place.components[1] == "workflow.knime" {
                workflowRoot = first
            }
        }
        guard let root = workflowRoot ?? firstFolder else {
            throw KnwfError(count == 0 ? "the archive is empty" : "no workflow root folder (every entry was unsafe or at the top level)")
        }
        return root
    }

    /// Pass 2: copies configuration, parses settings.xml.
    func copy(input: String, output: String?, root: String) throws -> KnwfResult {
        let reader = try open(input)
        var writer: ArchiveWriter?
        if let output {
            do { writer = try ArchiveWriter(path: output) } catch { throw KnwfError("cannot write \(output): \(error)") }
        }
        var result = KnwfResult(rootFolder: root, keptEntries: [], droppedEntries: 0, locations: [], problems: [])
        var keptBytes: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while let entry = try next(reader) {
            let place = Self.place(entry)
            if let reason = place.refusal ?? Self.outsideReason(place.components, kind: entry.kind, root: root) {
                result.skip(entry.path, reason: reason)
                do { try reader.skipData() } catch { throw KnwfError("\(error)", entry: entry.path) }
                continue
            }
            let relative = Array(place.components.dropFirst())
            guard entry.kind == .file, Self.isConfiguration(relative) else {
                if entry.kind != .directory { result.droppedEntries += 1 }
                do { try reader.skipData() } catch { throw KnwfError("\(error)", entry: entry.path) }
                continue
            }
            if let size = entry.declaredSize, size > limits.maxKeptBytes - keptBytes {
                throw KnwfError("kept entries would exceed \(limits.maxKeptBytes) bytes uncompressed", entry: entry.path)
            }
            // Read the entry whole (configuration files are small; bounded by the limits).
            var bytes: [UInt8] = []
            let startCompressed = reader.compressedBytesRead
            while true {
                let n: Int
                do { n = try reader.read(into: buffer) } catch { throw KnwfError("\(error)", entry: entry.path) }
                if n == 0 { break }
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                keptBytes += Int64(n)
                if keptBytes > limits.maxKeptBytes {
                    throw KnwfError("kept entries exceed \(limits.maxKeptBytes) bytes uncompressed", entry: entry.path)
                }
                let size = Int64(bytes.count)
                if size > limits.ratioFloorBytes {
                    let compressed = max(reader.compressedBytesRead - startCompressed, 1)
                    if size / compressed > limits.maxCompressionRatio {
                        throw KnwfError("compression ratio above \(limits.maxCompressionRatio):1 (zip bomb?)", entry: entry.path)
                    }
                }
            }
            let relativePath = relative.joined(separator: "/")
            do {
                try writer?.addFile(root + "/" + relativePath, bytes, modificationTime: entry.modificationTime)
            } catch {
                throw KnwfError("cannot write \(output ?? ""): \(error)")
            }
            result.keptEntries.append(relativePath)
            if relative.last == "settings.xml" {
                if bytes.count > limits.maxSettingsBytes {
                    result.problems.append("\(relativePath): larger than \(limits.maxSettingsBytes) bytes, not parsed")
                    result.unparsedSettings.append(relativePath)
                    continue
                }
                do {
                    let document = try LibXMLDocument(parsing: bytes, name: relativePath)
                    let config = KnimeConfig(settingsXML: document.root)
                    result.locations += KnimeLocationExtractor.locations(settings: config, node: relativePath)
                } catch {
                    result.problems.append("\(error)")
                    result.unparsedSettings.append(relativePath)
                }
            }
        }
        do { try writer?.close() } catch { throw KnwfError("cannot write \(output ?? ""): \(error)") }
        return result
    }

    /// Whether a path relative to the root folder is configuration to keep.
    static func isConfiguration(_ relative: [String]) -> Bool {
        guard let name = relative.last else { return false }
        for folder in relative.dropLast() {
            if folder.hasPrefix("port_") || folder == "internal" || folder == "data" || folder.hasPrefix("filestore")
                || folder == "drop" || folder == "internalTables" { return false }
        }
        if keptNames.contains(name) { return true }
        if relative.count >= 2, relative[relative.count - 2] == ".artifacts",
           name.hasPrefix("workflow-configuration"), name.hasSuffix(".json") { return true }
        return false
    }

    /// The entry's path components (`.` removed), and why it must not be read (`..`, absolute path,
    /// link, special file), nil when it is safe.
    static func place(_ entry: ArchiveEntry) -> (components: [String], refusal: String?) {
        let path = entry.path
        let components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        if entry.kind == .symbolicLink || entry.kind == .hardLink { return (components, "link") }
        if entry.kind == .other { return (components, "special file") }
        if path.hasPrefix("/") || path.hasPrefix("\\") || path.contains("\0")
            || (path.count >= 2 && path.dropFirst().first == ":") {
            return (components, "absolute path")
        }
        if path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).contains("..") {
            return (components, "escapes the root folder")
        }
        return (components, nil)
    }

    /// Why a safe entry is not part of the workflow's root folder, nil when it is.
    static func outsideReason(_ components: [String], kind: ArchiveEntry.Kind, root: String) -> String? {
        guard let first = components.first else { return nil }
        if components.count == 1, kind != .directory { return "file outside any root folder" }
        if first != root { return "outside the workflow's root folder" }
        return nil
    }

    private func open(_ path: String) throws -> ArchiveReader {
        do { return try ArchiveReader(path: path) } catch { throw KnwfError("cannot read: \(error)") }
    }

    private func next(_ reader: ArchiveReader) throws -> ArchiveEntry? {
        do { return try reader.next() } catch { throw KnwfError("cannot read: \(error)") }
    }
}

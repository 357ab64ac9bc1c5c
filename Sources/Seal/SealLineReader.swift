#if canImport(Glibc)
import Glibc
#endif
import Collector

/// Reads a file line by line in large chunks, handing each line (without its line break) to a closure.
enum SealLineReader {
    struct Line {
        /// 1-based.
        var number: Int
        var offset: Int
        /// False only for a last line without a line break.
        var complete: Bool
    }

    /// Returns the file's size, or throws when it cannot be read.
    @discardableResult
    static func forEachLine(_ path: String, _ body: (UnsafeRawBufferPointer, Line) -> Void) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CollectorError(.io, "cannot open: \(FileIO.errorText())", context: path) }
        defer { close(fd) }
        let chunkSize = 4 << 20
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var carry: [UInt8] = []
        var number = 0
        var offset = 0
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkSize) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CollectorError(.io, "cannot read: \(FileIO.errorText())", context: path)
            }
            if n == 0 { break }
            total += n
            buffer.withUnsafeBytes { raw in
                var start = 0
                let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                while let found = memchr(chunk.baseAddress! + start, 0x0A, n - start) {
                    let end = chunk.baseAddress!.distance(to: UnsafeRawPointer(found))
                    number += 1
                    if carry.isEmpty {
                        body(UnsafeRawBufferPointer(rebasing: chunk[start..<end]), Line(number: number, offset: offset, complete: true))
                        offset += end - start + 1
                    } else {
                        carry.append(contentsOf: chunk[start..<end])
                        carry.withUnsafeBytes { body($0, Line(number: number, offset: offset, complete: true)) }
                        offset += carry.count + 1
                        carry.removeAll(keepingCapacity: true)
                    }
                    start = end + 1
                }
                if start < n { carry.append(contentsOf: chunk[start..<n]) }
            }
        }
        if !carry.isEmpty {
            number += 1
            carry.withUnsafeBytes { body($0, Line(number: number, offset: offset, complete: false)) }
        }
        return total
    }
}

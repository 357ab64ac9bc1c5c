#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Wakes the tailer when something changes in the watched folders (inotify on each folder: create,
/// modify, move, delete, attribute change), or after a timeout (the poll safety net).
///
/// `wait` blocks a Dispatch thread, not the cooperative pool, and returns early when the task is
/// cancelled. Without inotify (or for a folder that cannot be watched) the timeout alone drives reading.
final class InotifyWatcher: Sendable {
    private let inotify: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    let watchedFolders: [String]

    init(folders: [String]) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        var watched: [String] = []
        if fd >= 0 {
            let mask = UInt32(IN_CREATE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_ATTRIB | IN_CLOSE_WRITE)
            for folder in Set(folders).sorted() where inotify_add_watch(fd, folder, mask) >= 0 {
                watched.append(folder)
            }
        }
        inotify = fd
        watchedFolders = watched
        var pipeFDs: [Int32] = [-1, -1]
        _ = pipeFDs.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
    }

    deinit {
        if inotify >= 0 { close(inotify) }
        close(wakeRead)
        close(wakeWrite)
    }

    /// Returns when a watched folder changed, `timeoutMilliseconds` passed, or the task was cancelled.
    func wait(timeoutMilliseconds: Int) async {
        let inotify = self.inotify
        let wakeRead = self.wakeRead
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async {
                    var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)]
                    _ = poll(&fds, inotify >= 0 ? 2 : 1, Int32(timeoutMilliseconds))
                    // Drain what woke us; the tailer looks at every file anyway.
                    var scratch = [UInt8](repeating: 0, count: 16_384)
                    if inotify >= 0 {
                        while scratch.withUnsafeMutableBytes({ read(inotify, $0.baseAddress, $0.count) }) > 0 {}
                    }
                    continuation.resume()
                }
            }
        } onCancel: {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }
}

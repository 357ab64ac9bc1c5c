#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The order in which files found at the same look are read: oldest first.
///
/// Files of one size-rolled chain (log4j's `DefaultRolloverStrategy`: `x.log`, `x.log.1` … `x.log.N`,
/// the higher the number the older) are ordered by their number, whatever their modification times
/// (a chain rolled within one clock tick has equal times), the live `x.log` last. Chains and other
/// files (date-named ones such as `localhost.2024-04-25.log`) are ordered by the oldest modification
/// time among their files, then by path.
public enum RollOrder {
    /// The name without a trailing `.N` (1 to 4 digits) and N (0 without one).
    public static func chainKey(_ path: String) -> (stem: Substring, index: Int) {
        let utf8 = path.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")) else { return (path[...], 0) }
        let digits = utf8[utf8.index(after: dot)...]
        guard (1...4).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let index = Int(Substring(digits)) else { return (path[...], 0) }
        return (path[..<dot], index)
    }

    /// `items` sorted oldest first (see the type's rules).
    public static func oldestFirst<Item>(_ items: [Item], path: (Item) -> String, modified: (Item) -> timespec) -> [Item] {
        guard items.count > 1 else { return items }
        let keyed = items.map { item in
            let time = modified(item)
            return (item: item, path: path(item), key: chainKey(path(item)), time: Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec))
        }
        var chainTime: [Substring: Int64] = [:]
        for entry in keyed {
            chainTime[entry.key.stem] = min(chainTime[entry.key.stem] ?? entry.time, entry.time)
        }
        return keyed.sorted { a, b in
            if a.key.stem == b.key.stem { return a.key.index > b.key.index }
            let (ta, tb) = (chainTime[a.key.stem]!, chainTime[b.key.stem]!)
            if ta != tb { return ta < tb }
            return a.key.stem < b.key.stem
        }.map(\.item)
    }
}

import Foundation

/// One read of /proc: every process's parent, group, CPU ticks and resident memory, for the
/// node-load sampler (`NodeLoadSampler`).
struct ProcessTable {
    struct Entry {
        var pid: Int32
        var parent: Int32
        var group: Int32
        /// utime + stime, and cutime + cstime (its children's, once reaped: a script that runs a
        /// command per frame keeps their CPU in the tree's sum after they exit), in clock ticks.
        var ticks: UInt64
        /// When it started, in clock ticks since boot.
        var started: UInt64
        /// Resident pages.
        var residentPages: Int64
    }

    var entries: [Int32: Entry] = [:]
    var children: [Int32: [Int32]] = [:]
    /// Seconds since boot when read.
    var uptime: Double = 0

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    static let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))

    static func read() -> ProcessTable {
        var table = ProcessTable()
        if let text = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8) {
            table.uptime = Double(text.split(separator: " ").first ?? "") ?? 0
        }
        guard let dir = opendir("/proc") else { return table }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name), let e = stat(pid) else { continue }
            table.entries[pid] = e
            table.children[e.parent, default: []].append(pid)
        }
        return table
    }

    /// `/proc/PID/stat`: the command name in parentheses may hold spaces, so fields are counted
    /// from the last `)`.
    static func stat(_ pid: Int32) -> Entry? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After ")": state(3) ppid(4) pgrp(5) … utime(14) stime(15) cutime(16) cstime(17) … starttime(22) vsize(23) rss(24).
        let f = text[text.index(after: close)...].split(separator: " ")
        guard f.count > 21, let parent = Int32(f[1]), let group = Int32(f[2]), let u = UInt64(f[11]), let s = UInt64(f[12]),
              let cu = UInt64(f[13]), let cs = UInt64(f[14]), let started = UInt64(f[19]), let rss = Int64(f[21]) else { return nil }
        return Entry(pid: pid, parent: parent, group: group, ticks: u + s + cu + cs, started: started, residentPages: rss)
    }

    /// A process's environment variables (empty when it cannot be read: another user's, or gone).
    static func environment(_ pid: Int32) -> [Substring: Substring] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [:] }
        var variables: [Substring: Substring] = [:]
        let text = String(decoding: data, as: UTF8.self)
        for item in text.split(separator: "\0") {
            guard let eq = item.firstIndex(of: "=") else { continue }
            variables[item[..<eq]] = item[item.index(after: eq)...]
        }
        return variables
    }

    /// The process and all its descendants, and the other members of its group (a member whose
    /// parent left is re-parented away from the tree, but still belongs to the instance).
    func tree(of leader: Int32) -> [Entry] {
        var seen: Set<Int32> = []
        var stack = [leader]
        var out: [Entry] = []
        while let pid = stack.popLast() {
            guard seen.insert(pid).inserted, let e = entries[pid] else { continue }
            out.append(e)
            stack += children[pid] ?? []
        }
        for e in entries.values where e.group == leader && !seen.contains(e.pid) { out.append(e) }
        return out
    }
}

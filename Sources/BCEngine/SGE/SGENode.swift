import Foundation

/// One node of an SGE cluster as a host of its own on this machine: a network namespace
/// (`bcsge<N>`) joined to the host by a veth pair on a /24 of 10.201.0.0–10.250.255.255 (host side .1, node .2; `subnet`),
/// a UTS namespace with the node's host name, a mount namespace with the cluster's NAS
/// mounts, and its own `sge_execd`, known by its pid. Only these addresses and loopback
/// are used. `/etc/hosts` gets one line per node, marked, so the qmaster's reverse lookup
/// of the node's address gives its name (reference §1.2); the namespace's own hosts file
/// (`/etc/netns/<ns>/hosts`, which `ip netns exec` mounts over /etc/hosts) maps the
/// qmaster's name to the host side of the pair.
struct SGENode: Codable, Sendable, Equatable {
    var vm: String
    var cluster: String
    var group: String
    var hostName: String
    var index: Int
    var pid: Int32 = 0
    /// Whether `qhost` has seen it and its queue instance is usable.
    var ready = false
    /// Leaving: its queue instances are disabled and it waits for its jobs to end.
    var draining = false

    var namespace: String { "bcsge\(index)" }
    var hostLink: String { "bcsh\(index)" }
    var nodeLink: String { "bcsn\(index)" }
    /// Node indices: index i is the /24 10.(201 + (i-1)/250).((i-1)%250 + 1).0.
    static let indices = 1...12_500
    var subnet: String { "10.\(201 + (index - 1) / 250).\((index - 1) % 250 + 1)" }
    var hostAddress: String { "\(subnet).1" }
    var address: String { "\(subnet).2" }
    var hostsLine: String { "\(address) \(hostName) # bcops-sge-node" }
    static let execdSpool = "/var/spool/gridengine/execd"

    /// A NAS mount as a node sees it: `backing` (a directory under the engine's data
    /// directory that stands in for the NAS server) bound at `destination`.
    struct Mount: Sendable { var backing: String; var destination: String }

    /// Builds the namespaces and the link, registers the host with the qmaster and starts its
    /// execd. Leftovers of an earlier attempt with the same index are removed first.
    mutating func start(qmaster: String, mounts: [Mount]) throws {
        remove()
        let T = GridEngineTool.self
        try T.must(["ip", "netns", "add", namespace])
        try T.must(["ip", "link", "add", hostLink, "type", "veth", "peer", "name", nodeLink])
        try T.must(["ip", "link", "set", nodeLink, "netns", namespace])
        try T.must(["ip", "addr", "add", "\(hostAddress)/24", "dev", hostLink])
        try T.must(["ip", "link", "set", hostLink, "up"])
        try T.must(["ip", "netns", "exec", namespace, "ip", "addr", "add", "\(address)/24", "dev", nodeLink])
        try T.must(["ip", "netns", "exec", namespace, "ip", "link", "set", nodeLink, "up"])
        try T.must(["ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
        try FileManager.default.createDirectory(atPath: "/etc/netns/\(namespace)", withIntermediateDirectories: true)
        try Data("127.0.0.1 localhost\n\(hostAddress) \(qmaster)\n\(address) \(hostName)\n".utf8)
            .write(to: URL(fileURLWithPath: "/etc/netns/\(namespace)/hosts"))
        try HostsFile.add(hostsLine)
        let admins = try T.run(["qconf", "-sh"]).stdout.split(separator: "\n")
        if !admins.contains(where: { $0 == hostName }) { try T.must(["qconf", "-ah", hostName]) }
        if !T.succeeds(["qconf", "-se", hostName]) {
            let file = "hostname \(hostName)\nload_scaling NONE\ncomplex_values NONE\nuser_lists NONE\nxuser_lists NONE\nprojects NONE\nxprojects NONE\nusage_scaling NONE\nreport_variables NONE\n"
            try T.upsert(show: "-se", add: "-Ae", modify: "-Me", object: hostName, file: file)
        }
        // A stale pidfile of an earlier node of this name would be read as this one's.
        try? FileManager.default.removeItem(atPath: "\(Self.execdSpool)/\(hostName)/execd.pid")
        var script = "set -e; hostname \(hostName)\n"
        for m in mounts {
            script += "mkdir -p '\(m.backing)' '\(m.destination)'; mount --bind '\(m.backing)' '\(m.destination)'\n"
        }
        script += "exec /usr/sbin/sge_execd\n"
        try T.must(["ip", "netns", "exec", namespace, "unshare", "--uts", "--mount", "--propagation", "private", "sh", "-c", script])
        // sge_execd daemonises: its pid is in its spool (named after the node's host name).
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: "\(Self.execdSpool)/\(hostName)/execd.pid", encoding: .utf8),
               let p = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), T.isAlive(p, comm: "sge_execd") {
                pid = p
                return
            }
            usleep(100_000)
        }
        throw SGEError.execdNotStarted(host: hostName, detail: "no live pid in \(Self.execdSpool)/\(hostName)/execd.pid after 20 s")
    }

    /// Whether what `start` built is still there: its execd alive and its namespace present
    /// (after an engine restart, such a node is adopted as it is).
    var isIntact: Bool {
        GridEngineTool.isAlive(pid, comm: "sge_execd") && FileManager.default.fileExists(atPath: "/run/netns/\(namespace)")
    }

    /// Stops its execd (by pid: `qconf -ke` first, then SIGTERM, then SIGKILL of that pid)
    /// and unregisters it from the qmaster. `killJobs`: `-kej`, its jobs die with it (a
    /// deleted cluster); otherwise it has been drained.
    func stop(killJobs: Bool) {
        stopExecd(killJobs: killJobs)
        unregister()
    }

    func stopExecd(killJobs: Bool) {
        let T = GridEngineTool.self
        if T.isAlive(pid, comm: "sge_execd") {
            _ = try? T.run(["qconf", killJobs ? "-kej" : "-ke", hostName])
            if !waitGone(seconds: 10) {
                kill(pid, SIGTERM)
                if !waitGone(seconds: 5) { kill(pid, SIGKILL); _ = waitGone(seconds: 5) }
            }
        }
    }

    /// Removes the exec host and admin host; the host must be in no host group or queue by now.
    func unregister() {
        _ = try? GridEngineTool.run(["qconf", "-de", hostName])
        _ = try? GridEngineTool.run(["qconf", "-dh", hostName])
    }

    func waitGone(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !GridEngineTool.isAlive(pid, comm: "sge_execd") { return true }
            usleep(100_000)
        }
        return !GridEngineTool.isAlive(pid, comm: "sge_execd")
    }

    /// Removes the namespace, the link, the hosts lines and the spool: everything `start`
    /// made on this machine. Safe to repeat.
    func remove() {
        let T = GridEngineTool.self
        // Whatever still runs in the namespace is ours (an execd that never wrote its pidfile,
        // a job's leftover): killed by pid, as `ip netns pids` lists them.
        if FileManager.default.fileExists(atPath: "/run/netns/\(namespace)") {
            let pids = ((try? T.run(["ip", "netns", "pids", namespace]).stdout) ?? "").split(separator: "\n").compactMap { Int32($0) }
            for p in pids { kill(p, SIGKILL) }
        }
        _ = try? T.run(["ip", "netns", "del", namespace])
        _ = try? T.run(["ip", "link", "del", hostLink])
        try? FileManager.default.removeItem(atPath: "/etc/netns/\(namespace)")
        try? HostsFile.remove(hostsLine)
        try? FileManager.default.removeItem(atPath: "\(Self.execdSpool)/\(hostName)")
    }
}

/// `/etc/hosts`, edited line by line: only lines the engine added (marked `# bcops-sge-node`)
/// are removed, and the file is rewritten in place, not renamed over (it may be a mount).
enum HostsFile {
    static let path = "/etc/hosts"
    static let lock = NSLock()

    static func add(_ line: String) throws {
        lock.lock(); defer { lock.unlock() }
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard !text.split(separator: "\n").contains(where: { $0 == line }) else { return }
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        try write(text + line + "\n")
    }

    static func remove(_ line: String) throws {
        lock.lock(); defer { lock.unlock() }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.filter { $0 != line }
        guard kept.count != lines.count else { return }
        try write(kept.joined(separator: "\n"))
    }

    static func write(_ text: String) throws {
        guard let h = FileHandle(forWritingAtPath: path) else { throw SGEError.unavailable("cannot write \(path)") }
        defer { try? h.close() }
        try h.truncate(atOffset: 0)
        try h.write(contentsOf: Data(text.utf8))
    }
}

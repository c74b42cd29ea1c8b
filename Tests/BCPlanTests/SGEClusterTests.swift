import BCTestSupport
import Foundation
import Testing

/// An SGECluster on the real Grid Engine of this machine, through the real engine
/// (`--sge-clusters`) and the CLI: nodes in `qhost`, a user's `qsub` to each group's queue
/// running on that group's nodes, a resize 2 → 3 → 1 under a running job that loses nothing,
/// a replacement on a change of groups, `bcctl sge status`, and a delete that leaves nothing
/// behind. One qmaster for the suite (the one `scripts/gridengine.sh up` starts).
@Suite(.serialized) struct SGEClusterTests {
    static let installed = FileManager.default.isExecutableFile(atPath: "/usr/sbin/sge_execd") && getuid() == 0

    static func sh(_ script: String) throws -> ProcessRunner.Output {
        try ProcessRunner.run("/bin/sh", ["-c", script], environment: ["SGE_ROOT": "/var/lib/gridengine", "SGE_CELL": "default"])
    }

    /// Polls `condition` every half second for up to `seconds`.
    static func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(500_000)
        }
        return try condition()
    }

    static func manifest(_ name: String, groups: [(String, Int)]) -> String {
        var text = """
            apiVersion: bcops.io/v1
            kind: SGECluster
            metadata:
              name: \(name)
            spec:
              master: {instanceType: ecs.sn1.medium, imageId: img-sge}
              imageId: img-sge
              mounts:
                entries:
                  - {source: "nas://nas-test.example:/share/", destination: /home/nas/, writeSupport: true}
              vpc: {cidrBlock: 192.168.1.0/24}
              groups:

            """
        for (g, n) in groups { text += "    \(g): {instanceType: ecs.sn1.medium, desiredCount: \(n)}\n" }
        return text
    }

    @Test(.enabled(if: installed, "Grid Engine is not installed (scripts/test.sh installs it) or not root"))
    func sgeClusterLifecycle() throws {
        if try Self.sh("qconf -sh").status != 0 {
            _ = try Self.sh("\(ProcessRunner.root.path)/scripts/gridengine.sh up")
        }
        try #require(try Self.sh("qconf -sh").status == 0, "the qmaster does not answer")
        let name = "sgt\(UInt32.random(in: 1000...9999))"
        let engine = try EngineProcess(arguments: ["--sge-clusters"], logFile: FileManager.default.temporaryDirectory.appendingPathComponent("bcops-sge-test-engine.log").path)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-sge-\(UUID().uuidString)")
        let out = dir.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("sge.yaml")
        let env = engine.clientEnvironment
        func tool(_ t: String, _ args: [String]) throws -> ProcessRunner.Output { try ProcessRunner.run(ProcessRunner.product(t), args, environment: env) }
        // Every node hostname this cluster had: what must be gone at the end (other tests'
        // clusters on the same machine have namespaces of their own).
        var seen: Set<String> = []
        func status() throws -> [String: Any] {
            let o = try tool("bcctl", ["sge", "status", name, "-json"])
            let s = (try? JSONSerialization.jsonObject(with: Data(o.stdout.utf8))) as? [String: Any] ?? [:]
            for i in s["instances"] as? [[String: Any]] ?? [] { if let h = i["hostName"] as? String, !h.isEmpty { seen.insert(h) } }
            return s
        }
        /// Namespaces and /etc/hosts lines that still name one of this cluster's nodes.
        func leftovers() throws -> [String] {
            let hosts = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? ""
            // A node's own hostname, as a whole field (a node not up yet reports this host's name).
            let nodes = seen.subtracting([ProcessInfo.processInfo.hostName, "localhost"])
            func names(_ line: Substring) -> Bool { line.split(whereSeparator: { $0 == " " || $0 == "\t" }).contains { nodes.contains(String($0)) } }
            var left = hosts.split(separator: "\n").filter(names).map(String.init)
            for ns in try Self.sh("ip netns list | cut -d' ' -f1").stdout.split(separator: "\n") {
                let file = (try? String(contentsOfFile: "/etc/netns/\(ns)/hosts", encoding: .utf8)) ?? ""
                if file.split(separator: "\n").contains(where: names) { left.append("netns \(ns)") }
            }
            return left
        }
        func settled(_ want: [String: Int]) throws -> Bool {
            let s = try status()
            let groups = s["groups"] as? [String: [String: Any]] ?? [:]
            let instances = s["instances"] as? [[String: Any]] ?? []
            // Every node up in Grid Engine: Running at its own address (the store makes a VM
            // Running at once; the engine's next pass makes it Starting until qhost has it).
            let counts = want.allSatisfy { g, n in
                let mine = instances.filter { $0["group"] as? String == g }
                return (groups[g]?["actual"] as? Int) == n && mine.count == n
                    && mine.allSatisfy { ($0["ipAddress"] as? String ?? "").hasPrefix("10.2") && $0["state"] as? String == "Running" }
            }
            // No node still draining (a disabled queue instance of this cluster).
            let draining = try Self.sh("qstat -f | grep -c '^\(name)-.*d *$' || true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return counts && draining == "0"
        }
        func hosts(_ group: String) throws -> [String] {
            ((try status())["instances"] as? [[String: Any]] ?? []).filter { $0["group"] as? String == group }.compactMap { $0["hostName"] as? String }
        }
        func apply(_ groups: [(String, Int)]) throws -> String {
            try Self.manifest(name, groups: groups).write(to: file, atomically: true, encoding: .utf8)
            let plan = try tool("bcplan", [dir.path, "-no-color"])
            let applied = try tool("bcapply", [dir.path, "-auto-approve", "-no-color"])
            #expect(applied.status == 0, "\(applied.combined)")
            return plan.stdout
        }
        defer {
            _ = try? tool("bcapply", [dir.path, "-destroy", "-auto-approve", "-no-color"])
            _ = Self.eventually(60) { ((try? Self.sh("qconf -sql").stdout) ?? "").contains("\(name)-") == false }
            _ = Self.eventually(30) { ((try? Self.sh("grep -c bcops-sge-node /etc/hosts || true").stdout) ?? "").hasPrefix("0") }
            engine.stop()
            try? FileManager.default.removeItem(at: dir)
        }

        // Two groups: their nodes in qhost, a qsub to each queue runs on that group's nodes.
        _ = try apply([("alpha", 2), ("beta", 1)])
        #expect(try Self.eventually(90) { try settled(["alpha": 2, "beta": 1]) })
        let qhost = try Self.sh("qhost").stdout
        for h in try hosts("alpha") + hosts("beta") { #expect(qhost.contains(h), "\(h) not in qhost:\n\(qhost)") }
        for g in ["alpha", "beta"] {
            let run = try Self.sh("cd \(out) && echo 'echo host=$(hostname); ls -d /home/nas' | qsub -sync y -q \(name)-\(g).q -o \(out)/\(g).txt -j y -N probe")
            #expect(run.status == 0, "\(run.combined)")
            let text = (try? String(contentsOfFile: "\(out)/\(g).txt", encoding: .utf8)) ?? ""
            let host = text.split(separator: "\n").first { $0.hasPrefix("host=") }.map { String($0.dropFirst(5)) } ?? ""
            #expect(try hosts(g).contains(host), "the \(g) job ran on \(host): \(text)")
            #expect(text.contains("/home/nas"), "the NAS mount is not on \(host): \(text)")
        }

        // 2 → 3 → 1 while a job runs on the group: it ends where it ran, nothing is lost.
        let long = try Self.sh("cd \(out) && echo 'sleep 12; echo finished' | qsub -terse -q \(name)-alpha.q -o \(out)/long.txt -j y -N long")
        let job = long.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try Self.eventually(20) { try Self.sh("qstat -u '*' -s r | grep -c '^ *\(job) ' || true").stdout.hasPrefix("1") })
        _ = try apply([("alpha", 3), ("beta", 1)])
        #expect(try Self.eventually(60) { try settled(["alpha": 3, "beta": 1]) })
        _ = try apply([("alpha", 1), ("beta", 1)])
        #expect(try Self.eventually(90) { try settled(["alpha": 1, "beta": 1]) })
        #expect(try Self.eventually(30) { ((try? String(contentsOfFile: "\(out)/long.txt", encoding: .utf8)) ?? "").contains("finished") })
        #expect(try Self.eventually(20) { try Self.sh("qacct -j \(job) | grep -E '^exit_status +0'").status == 0 })

        // The status command: groups with desired and actual, instances, the operation log.
        let text = try tool("bcctl", ["sge", "status", name]).stdout
        #expect(text.contains("alpha") && text.contains("  10.2") && text.contains("Operation log:") && text.contains("draining node"), "\(text)")

        // A change of groups replaces the cluster, and the plan says why.
        let plan = try apply([("alpha", 1), ("gamma", 1)])
        #expect(plan.contains("because the set of groups changed"), "\(plan)")
        #expect(try Self.eventually(90) { try settled(["alpha": 1, "gamma": 1]) })
        #expect(try Self.eventually(30) { try !Self.sh("qconf -sql").stdout.contains("\(name)-beta.q") })

        // Delete: nothing of it is left.
        let destroyed = try tool("bcapply", [dir.path, "-destroy", "-auto-approve", "-no-color"])
        #expect(destroyed.status == 0, "\(destroyed.combined)")
        #expect(try Self.eventually(60) {
            try !Self.sh("qconf -sql").stdout.contains("\(name)-") && !Self.sh("qconf -shgrpl").stdout.contains("@\(name)-")
        })
        #expect(!seen.isEmpty)
        let clean = try Self.eventually(30) { try leftovers().isEmpty }
        #expect(clean, "left behind: \((try? leftovers()) ?? [])")
    }
}

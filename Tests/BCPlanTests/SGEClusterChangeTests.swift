import BCTestSupport
import Foundation
import Testing

/// More of an SGECluster's life on the real Grid Engine, through the real engine
/// (`--sge-clusters`): `attach: cls-…` of a cluster made through the API (the official SDK),
/// an engine SIGKILL and restart with the nodes up (live ones adopted, a dead one rebuilt),
/// and an instance type changed in place (the queue's slots follow the type's vCPUs).
/// Each test cleans up what it made (queues, host groups, exec hosts, namespaces, /etc/hosts
/// lines) even when it fails, from the engine's own record of its nodes.
@Suite(.serialized) struct SGEClusterChangeTests {
    static let installed = SGEClusterTests.installed

    /// One engine with `--sge-clusters`, a manifest directory, and what every test needs.
    final class Rig {
        var engine: EngineProcess
        let dir: URL
        let logFile: String
        var workspace = "sge-change"

        init(_ label: String) throws {
            if try SGEClusterTests.sh("qconf -sh").status != 0 {
                _ = try SGEClusterTests.sh("\(ProcessRunner.root.path)/scripts/gridengine.sh up")
            }
            try #require(try SGEClusterTests.sh("qconf -sh").status == 0, "the qmaster does not answer")
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-sge-\(label)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            logFile = dir.appendingPathComponent("engine.log").path
            engine = try EngineProcess(arguments: ["--sge-clusters"], logFile: logFile)
        }

        var env: [String: String] { engine.clientEnvironment.merging(["BCOPS_WORKSPACE": workspace]) { $1 } }

        func tool(_ t: String, _ args: [String]) throws -> ProcessRunner.Output {
            try ProcessRunner.run(ProcessRunner.product(t), args, environment: env)
        }

        func write(_ text: String, in sub: String = "m") throws -> String {
            let d = dir.appendingPathComponent(sub)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try text.write(to: d.appendingPathComponent("sge.yaml"), atomically: true, encoding: .utf8)
            return d.path
        }

        func status(_ cluster: String) throws -> [String: Any] {
            let o = try tool("bcctl", ["sge", "status", cluster, "-json"])
            return (try? JSONSerialization.jsonObject(with: Data(o.stdout.utf8))) as? [String: Any] ?? [:]
        }

        /// Every group at its count, each node Running at its own address, none draining.
        func settled(_ cluster: String, _ queuePrefix: String, _ want: [String: Int]) throws -> Bool {
            let s = try status(cluster)
            let groups = s["groups"] as? [String: [String: Any]] ?? [:]
            let instances = s["instances"] as? [[String: Any]] ?? []
            let counts = want.allSatisfy { g, n in
                let mine = instances.filter { $0["group"] as? String == g }
                return (groups[g]?["actual"] as? Int) == n && mine.count == n
                    && mine.allSatisfy { ($0["ipAddress"] as? String ?? "").hasPrefix("10.2") && $0["state"] as? String == "Running" }
            }
            let draining = try SGEClusterTests.sh("qstat -f | grep -c '^\(queuePrefix)-.*d *$' || true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return counts && draining == "0"
        }

        /// The engine's record of its nodes (`DATA/sge/nodes.json`): vm → node.
        func nodes() -> [String: [String: Any]] {
            guard let data = FileManager.default.contents(atPath: engine.dataDirectory + "/sge/nodes.json"),
                  let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return o["nodes"] as? [String: [String: Any]] ?? [:]
        }

        func oplog(_ cluster: String) throws -> [String] { (try status(cluster))["operationLog"] as? [String] ?? [] }

        /// Removes whatever the engine's nodes and the named queues left, whatever state the test
        /// ended in: the engine stops first (its passes would make them again).
        func cleanup(names: [String]) {
            engine.stop()  // first: its passes would make nodes again
            let nodes = self.nodes()
            for name in names {
                let queues = ((try? SGEClusterTests.sh("qconf -sql").stdout) ?? "").split(separator: "\n").filter { $0.hasPrefix("\(name)-") }
                for q in queues { _ = try? SGEClusterTests.sh("qdel -f $(qstat -u '*' -q \(q) | awk 'NR>2{print $1}') 2>/dev/null; qconf -dq \(q)") }
                let groups = ((try? SGEClusterTests.sh("qconf -shgrpl").stdout) ?? "").split(separator: "\n").filter { $0.hasPrefix("@\(name)-") }
                for g in groups { _ = try? SGEClusterTests.sh("qconf -dhgrp \(g)") }
            }
            for (_, n) in nodes {
                guard let host = n["hostName"] as? String, let index = n["index"] as? Int else { continue }
                let ns = "bcsge\(index)"
                _ = try? SGEClusterTests.sh("""
                    for p in $(ip netns pids \(ns) 2>/dev/null); do kill -9 $p; done
                    qconf -de \(host) >/dev/null 2>&1; qconf -dh \(host) >/dev/null 2>&1
                    ip netns del \(ns) 2>/dev/null; ip link del bcsh\(index) 2>/dev/null; rm -rf /etc/netns/\(ns) /var/spool/gridengine/execd/\(host)
                    """)
                if let s = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) {
                    let kept = s.split(separator: "\n", omittingEmptySubsequences: false).filter { !($0.contains(" \(host) ") && $0.hasSuffix("# bcops-sge-node")) }
                    if kept.count != s.split(separator: "\n", omittingEmptySubsequences: false).count,
                       let h = FileHandle(forWritingAtPath: "/etc/hosts") {
                        try? h.truncate(atOffset: 0); try? h.write(contentsOf: Data(kept.joined(separator: "\n").utf8)); try? h.close()
                    }
                }
            }
            try? FileManager.default.removeItem(at: dir)
        }

        /// Destroys what the workspace owns and waits until its queues are gone.
        func destroy(_ path: String, name: String) throws {
            let d = try tool("bcapply", [path, "-destroy", "-auto-approve", "-no-color"])
            #expect(d.status == 0, "\(d.combined)")
            #expect(SGEClusterTests.eventually(60) { ((try? SGEClusterTests.sh("qconf -sql").stdout) ?? "").contains("\(name)-") == false })
        }
    }

    static func manifest(_ name: String, attach: String? = nil, groups: [(String, String, Int)]) -> String {
        var text = """
            apiVersion: bcops.io/v1
            kind: SGECluster
            metadata:
              name: \(name)
            spec:

            """
        if let attach { text += "  attach: \(attach)\n" }
        text += """
              master: {instanceType: ecs.sn1.medium, imageId: img-sge}
              imageId: img-sge
              vpc: {cidrBlock: 192.168.1.0/24}
              groups:

            """
        for (g, type, n) in groups { text += "    \(g): {instanceType: \(type), desiredCount: \(n)}\n" }
        return text
    }

    /// Makes an SGE cluster through the official SDK, as the console or `bcs cc -i img-sge` would;
    /// returns its id.
    static func sdkCluster(_ engine: EngineProcess, name: String, groups: [String: Int]) throws -> String {
        let python = ProcessInfo.processInfo.environment["BCOPS_SDK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ProcessRunner.root.appendingPathComponent(".build-venv/bin/python").path
        // The seed's prepaid cluster (包年包月): made in the console with the SGE image, the
        // bootstrap and the master's two variables; its master is a machine outside it, so it
        // has worker groups only (and the SDK knows no SgeMasterGroup).
        var g: [String: Any] = [:]
        for (k, n) in groups { g[k] = ["DesiredVMCount": n, "InstanceType": "ecs.sn1.medium"] }
        let desc: [String: Any] = ["Name": name, "ImageId": "img-sge", "InstanceType": "ecs.sn1.medium", "Bootstrap": "/usr/local/bin/sge_bootstrap",
                                   "EnvVars": ["SGE_MASTER_IP_ADDRESS": "192.168.0.10", "SGE_MASTER_HOST_NAME": "sge-master"],
                                   "Description": "made through the SDK", "Groups": g]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: desc), as: UTF8.self)
        let r = try ProcessRunner.run(python, ["-c", """
            import sys, json
            from batchcompute import Client
            Client.register_region('local', '127.0.0.1', int(sys.argv[1]))
            c = Client('127.0.0.1', sys.argv[2], sys.argv[3])
            print(c.create_cluster(json.loads(sys.argv[4])).Id)
            """, String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret, json])
        try #require(r.status == 0, "\(r.combined)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: attach

    @Test(.enabled(if: installed, "Grid Engine is not installed (scripts/test.sh installs it) or not root"))
    func attachAdoptsAnExistingCluster() throws {
        let rig = try Rig("attach")
        let name = "sga\(UInt32.random(in: 1000...9999))"
        defer { rig.cleanup(names: [name]) }
        let id = try Self.sdkCluster(rig.engine, name: name, groups: ["alpha": 1, "beta": 1])
        #expect(try SGEClusterTests.eventually(60) { try rig.settled(id, name, ["alpha": 1, "beta": 1]) }, "\((try? rig.status(id)) ?? [:])")

        // Attach with other counts and types: adopted, not created; its groups made to match.
        let path = try rig.write(Self.manifest(name, attach: id, groups: [("alpha", "ecs.sn1.medium", 2), ("beta", "ecs.sn1.large", 1)]))
        let plan = try rig.tool("bcplan", [path, "-no-color"])
        #expect(plan.stdout.contains("will adopt \(id) (attach)"), "\(plan.combined)")
        let applied = try rig.tool("bcapply", [path, "-auto-approve", "-no-color"])
        #expect(applied.status == 0, "\(applied.combined)")
        #expect(try SGEClusterTests.eventually(60) { try rig.settled(id, name, ["alpha": 2, "beta": 1]) }, "\((try? rig.status(id)) ?? [:])")
        #expect(try SGEClusterTests.eventually(20) { try SGEClusterTests.sh("qconf -sq \(name)-beta.q | grep '^slots'").stdout.contains(" 4") })
        let s = try rig.status(id)
        #expect((s["id"] as? String) == id)
        #expect(((s["groups"] as? [String: [String: Any]])?["beta"]?["instanceType"] as? String) == "ecs.sn1.large")
        // Now it is the workspace's: a second plan has nothing to do.
        let again = try rig.tool("bcplan", [path, "-no-color", "-detailed-exitcode"])
        #expect(again.status == 0, "\(again.combined)")
        // The cluster is still the one the SDK made (one cluster of that name).
        let by = try rig.tool("bcctl", ["sge", "status", name, "-json"])
        #expect(by.stdout.contains(id), "\(by.combined)")

        // Another workspace attaching the same cluster with other worker groups is refused,
        // saying where (the manifest's resource) and why (both sets of groups).
        rig.workspace = "sge-change-other"
        let other = try rig.write(Self.manifest("\(name)x", attach: id, groups: [("alpha", "ecs.sn1.medium", 1), ("gamma", "ecs.sn1.medium", 1)]), in: "other")
        let refused = try rig.tool("bcapply", [other, "-auto-approve", "-no-color"])
        #expect(refused.status != 0, "\(refused.combined)")
        #expect(refused.combined.contains("SGECluster/\(name)x") && refused.combined.contains("worker groups alpha, beta")
                && refused.combined.contains("the manifest alpha, gamma"), "\(refused.combined)")
        #expect(refused.combined.contains("SGECluster/\(name)x: spec.attach: \(id) has the worker groups"), "\(refused.combined)")
        // …and left the cluster as it was.
        #expect(try rig.settled(id, name, ["alpha": 2, "beta": 1]))

        rig.workspace = "sge-change"
        try rig.destroy(path, name: name)
    }

    // MARK: engine restart

    @Test(.enabled(if: installed, "Grid Engine is not installed (scripts/test.sh installs it) or not root"))
    func engineRestartAdoptsLiveNodesAndRebuildsDeadOnes() throws {
        let rig = try Rig("restart")
        let name = "sgr\(UInt32.random(in: 1000...9999))"
        defer { rig.cleanup(names: [name]) }
        let path = try rig.write(Self.manifest(name, groups: [("alpha", "ecs.sn1.medium", 2)]))
        let applied = try rig.tool("bcapply", [path, "-auto-approve", "-no-color"])
        try #require(applied.status == 0, "\(applied.combined)")
        let id = try #require(try rig.status(name)["id"] as? String)
        #expect(try SGEClusterTests.eventually(60) { try rig.settled(id, name, ["alpha": 2]) })
        let before = rig.nodes().values.sorted { ($0["hostName"] as? String ?? "") < ($1["hostName"] as? String ?? "") }
        try #require(before.count == 2)
        let (live, dead) = (before[0], before[1])
        let livePid = try #require(live["pid"] as? Int), deadPid = try #require(dead["pid"] as? Int)
        let liveHost = live["hostName"] as! String, deadHost = dead["hostName"] as! String

        // The engine dies; one node's execd dies with it.
        let port = rig.engine.port
        rig.engine.kill()
        kill(pid_t(deadPid), SIGKILL)
        #expect(SGEClusterTests.eventually(5) { !FileManager.default.fileExists(atPath: "/proc/\(deadPid)") })
        var restarted: EngineProcess?
        let deadline = Date().addingTimeInterval(15)
        while restarted == nil {
            do {
                restarted = try EngineProcess(dataDirectory: rig.engine.dataDirectory, listen: "127.0.0.1:\(port)", arguments: ["--sge-clusters"], logFile: rig.logFile + ".2")
            } catch {
                if Date() >= deadline { throw error }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        rig.engine = restarted!

        #expect(try SGEClusterTests.eventually(60) { try rig.settled(id, name, ["alpha": 2]) }, "\((try? rig.status(id)) ?? [:])")
        let log = try rig.oplog(id)
        #expect(log.contains { $0.contains("adopted node \(liveHost)") && $0.contains("\(livePid)") }, "\(log)")
        #expect(log.contains { $0.contains("node \(deadHost) was gone after an engine restart") }, "\(log)")
        // The live node is the same execd, alone in its namespace; the dead one has a new execd.
        // The dead node made again (not Running until then: its VM went back to Starting).
        #expect(SGEClusterTests.eventually(60) { rig.nodes().values.contains { $0["hostName"] as? String == deadHost && ($0["ready"] as? Bool) == true } })
        let after = Dictionary(rig.nodes().values.map { ($0["hostName"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(after[liveHost]?["pid"] as? Int == livePid)
        #expect(after[liveHost]?["index"] as? Int == live["index"] as? Int)
        let rebuilt = try #require(after[deadHost]?["pid"] as? Int)
        #expect(rebuilt != deadPid)
        for host in [liveHost, deadHost] {
            let index = after[host]?["index"] as? Int ?? 0
            let execds = try SGEClusterTests.sh("for p in $(ip netns pids bcsge\(index)); do cat /proc/$p/comm; done | grep -c '^sge_execd$' || true").stdout
            #expect(execds.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(host): \(execds) sge_execd in bcsge\(index)")
        }
        let qhost = try SGEClusterTests.sh("qhost").stdout
        #expect(qhost.contains(liveHost) && qhost.contains(deadHost), "\(qhost)")
        // Both take jobs again.
        let out = rig.dir.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let run = try SGEClusterTests.sh("cd \(out) && echo 'hostname' | qsub -sync y -q \(name)-alpha.q@\(deadHost) -o \(out)/probe.txt -j y -N probe")
        #expect(run.status == 0, "\(run.combined)")
        #expect(((try? String(contentsOfFile: "\(out)/probe.txt", encoding: .utf8)) ?? "").contains(deadHost))

        try rig.destroy(path, name: name)
    }

    // MARK: instance type in place

    @Test(.enabled(if: installed, "Grid Engine is not installed (scripts/test.sh installs it) or not root"))
    func instanceTypeChangeUpdatesSlotsInPlace() throws {
        let rig = try Rig("type")
        let name = "sgi\(UInt32.random(in: 1000...9999))"
        defer { rig.cleanup(names: [name]) }
        let path = try rig.write(Self.manifest(name, groups: [("alpha", "ecs.sn1.medium", 1)]))
        try #require(try rig.tool("bcapply", [path, "-auto-approve", "-no-color"]).status == 0)
        let id = try #require(try rig.status(name)["id"] as? String)
        #expect(try SGEClusterTests.eventually(60) { try rig.settled(id, name, ["alpha": 1]) })
        func slots() throws -> String {
            try SGEClusterTests.sh("qconf -sq \(name)-alpha.q | grep '^slots'").stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        }
        #expect(try slots() == "2")  // ecs.sn1.medium: 2 vCPUs
        let node = rig.nodes().values.first

        _ = try rig.write(Self.manifest(name, groups: [("alpha", "ecs.sn1.large", 1)]))
        let plan = try rig.tool("bcplan", [path, "-no-color"])
        #expect(plan.stdout.contains("~ ") && !plan.stdout.contains("must be replaced") && plan.stdout.contains("ecs.sn1.large"), "\(plan.stdout)")
        try #require(try rig.tool("bcapply", [path, "-auto-approve", "-no-color"]).status == 0)
        #expect(try SGEClusterTests.eventually(20) { try slots() == "4" }, "slots: \((try? slots()) ?? "")")  // ecs.sn1.large: 4 vCPUs
        // The same cluster, the same node.
        #expect(try rig.status(name)["id"] as? String == id)
        #expect(rig.nodes().values.first?["pid"] as? Int == node?["pid"] as? Int)
        #expect(try rig.settled(id, name, ["alpha": 1]))
        let log = try rig.oplog(id)
        #expect(log.contains { $0.contains("slots") && $0.contains("4") }, "\(log)")

        try rig.destroy(path, name: name)
    }
}

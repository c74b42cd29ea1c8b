import BCTestSupport
import Foundation
import Testing

/// BatchCompute jobs on an SGE cluster run in that cluster's Grid Engine queues, on its nodes,
/// with `bcctl engine serve --sge-clusters` (issue 16, "per cluster"), while a plain cluster's
/// jobs go on running through the engine's main executor (here: local). Real Grid Engine (the
/// qmaster scripts/gridengine.sh up starts), real engine, jobs through the official SDK.
@Suite(.serialized) struct SGEClusterExecutorTests {
    static let installed = FileManager.default.isExecutableFile(atPath: "/usr/sbin/sge_execd") && getuid() == 0

    static func sh(_ script: String) throws -> ProcessRunner.Output {
        try ProcessRunner.run("/bin/sh", ["-c", script], environment: ["SGE_ROOT": "/var/lib/gridengine", "SGE_CELL": "default"])
    }

    static func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(nanoseconds: 300_000_000)
        }
        return try await condition()
    }

    static func manifest(_ name: String) -> String {
        """
        apiVersion: bcops.io/v1
        kind: SGECluster
        metadata:
          name: \(name)
        spec:
          master: {instanceType: ecs.sn1.medium, imageId: img-sge}
          imageId: img-sge
          vpc: {cidrBlock: 192.168.1.0/24}
          groups:
            alpha: {instanceType: ecs.sn1.medium, desiredCount: 1}
            beta: {instanceType: ecs.sn1.medium, desiredCount: 1}

        """
    }

    @Test(.enabled(if: installed, "Grid Engine is not installed (scripts/test.sh installs it) or not root"))
    func jobsOnAnSGEClusterRunOnItsNodes() async throws {
        if try Self.sh("qconf -sh").status != 0 {
            _ = try Self.sh("\(ProcessRunner.root.path)/scripts/gridengine.sh up")
        }
        try #require(try Self.sh("qconf -sh").status == 0, "the qmaster does not answer")
        let name = "sgx\(UInt32.random(in: 1000...9999))"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-sge-executor-test-engine.log").path
        var engine = try EngineProcess(arguments: ["--sge-clusters"], logFile: log)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-sgex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func tool(_ t: String, _ args: [String]) throws -> ProcessRunner.Output {
            try ProcessRunner.run(ProcessRunner.product(t), args, environment: engine.clientEnvironment)
        }
        defer {
            // Whatever happened: the cluster goes (workers, queues, host groups, /etc/hosts lines).
            if !engine.process.isRunning, let again = try? EngineProcess(dataDirectory: engine.dataDirectory, arguments: ["--sge-clusters"], logFile: log) {
                engine = again
            }
            _ = try? tool("bcapply", [dir.path, "-destroy", "-auto-approve", "-no-color"])
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, ((try? Self.sh("qconf -sql; ip netns list").stdout) ?? "").contains("\(name)-") { usleep(500_000) }
            usleep(2_000_000)  // the realiser's next pass removes the nodes' namespaces and /etc/hosts lines
            engine.stop()
            try? FileManager.default.removeItem(at: dir)
        }
        try Self.manifest(name).write(to: dir.appendingPathComponent("sge.yaml"), atomically: true, encoding: .utf8)
        let applied = try tool("bcapply", [dir.path, "-auto-approve", "-no-color"])
        try #require(applied.status == 0, "\(applied.combined)")
        let clusters = try await engine.request("GET", "/clusters").json["Items"] as? [[String: Any]] ?? []
        let cluster = try #require(clusters.first { $0["Name"] as? String == name }?["Id"] as? String, "\(clusters)")

        // Jobs through the official SDK: a DAG a (2) → b (1) on the SGE cluster, one on a plain cluster.
        let sdk = try ProcessRunner.run(SDKPython.path, [EngineProcess.root.appendingPathComponent("Tests/BCEngineTests/sdk/sdk_sge_cluster.py").path,
                                                          String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret, cluster])
        try #require(sdk.status == 0, "\(sdk.combined)")
        let ids = Dictionary(sdk.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            return kv.count == 2 ? (kv[0], kv[1]) : nil
        }, uniquingKeysWith: { a, _ in a })
        let sgeJob = try #require(ids["sge"]), plainJob = try #require(ids["plain"])

        // Until a node is up the job waits, and says why (nodes take seconds to join the qmaster;
        // for the first second of a cluster its VM rows are Running before the realiser sees them).
        var reason = ""
        _ = try await Self.eventually(20) {
            let o = try tool("bcctl", ["job", sgeJob]).stdout
            // Wrapped to the terminal's width: compared with its spaces collapsed.
            let text = o.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
            if text.contains("up yet") { reason = text; return true }
            return !o.contains("): Waiting")
        }
        #expect(reason.contains("(\(name)): none of its 2 nodes is up yet: task a starts when one is"), "the job waited without saying why: \(reason)")

        // The plain cluster's job ran here, through the local executor, meanwhile.
        let plain = try await ExecutionTests.waitFor(engine, plainJob, seconds: 60) { ["Finished", "Failed"].contains($0["State"] as? String ?? "") }
        #expect(plain["State"] as? String == "Finished", "\(plain)")
        let here = try Self.sh("hostname").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(GridExecutorCases.object(engine, "logs/stdout.\(plainJob).a.0")?.hasPrefix(here + "\n") == true)

        // The SGE job ran on the cluster's nodes, each instance's log in OSS.
        let job = try await ExecutionTests.waitFor(engine, sgeJob, seconds: 150) { ["Finished", "Failed"].contains($0["State"] as? String ?? "") }
        #expect(job["State"] as? String == "Finished", "\(job)")
        let status = (try? JSONSerialization.jsonObject(with: Data(try tool("bcctl", ["sge", "status", name, "-json"]).stdout.utf8))) as? [String: Any] ?? [:]
        let nodes = Set((status["instances"] as? [[String: Any]] ?? []).filter { $0["group"] as? String != "sgeMaster" }.compactMap { $0["hostName"] as? String })
        #expect(nodes.count == 2, "\(status)")
        for (task, n) in [("a", 0), ("a", 1), ("b", 0)] {
            let text = GridExecutorCases.object(engine, "logs/stdout.\(sgeJob).\(task).\(n)") ?? ""
            let host = String(text.split(separator: "\n").first ?? "")
            #expect(nodes.contains(host) && host != here, "\(task).\(n) ran on \(host), not on a node of \(name) (\(nodes)): \(text)")
            #expect(text.contains("instance \(n)"), "\(task).\(n): \(text)")
        }
        #expect(!FileManager.default.fileExists(atPath: engine.dataDirectory + "/grid/arrays") || GridExecutorCases.arrayIds(engine).isEmpty,
                "the main executor (local) submitted no array")

        // An engine killed while an instance runs on a node: the restarted engine re-attaches
        // to the cluster's array (the SGE clusters' executor's own), and it ends once.
        let marker = dir.appendingPathComponent("ran").path
        let body = try JSONSerialization.data(withJSONObject: [
            "Name": "long", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": 1, "ClusterId": cluster, "Timeout": 300, "MaxRetryCount": 0,
                                    "Parameters": ["Command": ["CommandLine": "echo ran >> \(marker); sleep 8; hostname", "PackagePath": ""],
                                                   "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"] as [String: Any],
                                   ] as [String: Any]], "Dependencies": [:]] as [String: Any],
        ] as [String: Any])
        let long = try #require(try await engine.request("POST", "/jobs", body: body).json["Id"] as? String)
        #expect(try await Self.eventually(30) { FileManager.default.fileExists(atPath: marker) })
        engine.kill()
        engine = try EngineProcess(dataDirectory: engine.dataDirectory, arguments: ["--sge-clusters"], logFile: log)
        let after = try await ExecutionTests.waitFor(engine, long, seconds: 60) { ["Finished", "Failed"].contains($0["State"] as? String ?? "") }
        #expect(after["State"] as? String == "Finished", "\(after)")
        #expect(GridExecutorCases.lines(marker).count == 1, "ran once, not submitted again after the restart")
        let host = (GridExecutorCases.object(engine, "logs/stdout.\(long).t.0") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(nodes.contains(host), "\(host) is not a node of \(name)")
        let engineLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(engineLog.contains("re-attached to array"), "the restarted engine re-attached")

        // Deleting the cluster while a job runs on it: the job and its instance fail, saying why,
        // and its array leaves the qmaster.
        let doomed = try #require(try await engine.request("POST", "/jobs", body: ExecutionTests.job(cluster, command: "sleep 120")).json["Id"] as? String)
        #expect(try await Self.eventually(60) {
            let j = try await engine.request("GET", "/jobs/\(doomed)/tasks/t/instances/0").json
            return !(j["StartTime"] as? String ?? "").isEmpty && j["State"] as? String == "Running"
        })
        var arrays: [String] = []
        #expect(try await Self.eventually(30) { arrays = Self.arrayIds(engine); return !arrays.isEmpty })
        let destroyed = try tool("bcapply", [dir.path, "-destroy", "-auto-approve", "-no-color"])
        #expect(destroyed.status == 0, "\(destroyed.combined)")
        let failed = try await engine.request("GET", "/jobs/\(doomed)").json
        #expect(failed["State"] as? String == "Failed" && failed["Message"] as? String == "cluster \(cluster) was deleted", "\(failed)")
        let instance = try await engine.request("GET", "/jobs/\(doomed)/tasks/t/instances/0").json
        let error = instance["Error"] as? [String: Any] ?? [:]
        #expect(instance["State"] as? String == "Failed" && error["Code"] as? String == "ClusterNotFound"
                && error["Message"] as? String == "cluster \(cluster) was deleted", "\(instance)")
        #expect(try await Self.eventually(30) { try arrays.allSatisfy { try Self.sh("qstat -j \($0)").status != 0 } }, "array \(arrays) left the qmaster")
        #expect(try await Self.eventually(60) {
            try !Self.sh("qconf -sql").stdout.contains("\(name)-") && !Self.sh("qconf -shgrpl").stdout.contains("@\(name)-")
        })
    }
}

extension SGEClusterExecutorTests {
    /// The Grid Engine job ids of the arrays the SGE clusters' executor has out.
    static func arrayIds(_ engine: EngineProcess) -> [String] {
        let dir = engine.dataDirectory + "/grid/sge-clusters/arrays"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).compactMap { name in
            guard let data = FileManager.default.contents(atPath: dir + "/" + name + "/array.json"),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            return json["arrayId"] as? String
        }
    }
}

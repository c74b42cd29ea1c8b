import BCTestSupport
import Foundation
import Testing

/// docs/sdk-and-bcs.md works as written: its SDK program and `scripts/bcs-local` against a
/// real engine holding the page's App and cluster, and what they submit seen by bcctl.
@Suite(.serialized) struct SDKAndBCSPageTests {
    static let page = ProcessRunner.root.appendingPathComponent("docs/sdk-and-bcs.md")

    static var python: String {
        ProcessInfo.processInfo.environment["BCOPS_SDK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ProcessRunner.root.appendingPathComponent(".build-venv/bin/python").path
    }

    /// The page's blocks of one language.
    static func blocks(_ language: String) throws -> [String] {
        var out: [String] = [], current: [Substring]?
        for line in try String(contentsOf: page, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```\(language)" { current = []; continue }
            if current != nil, line == "```" { out.append(current!.joined(separator: "\n")); current = nil; continue }
            current?.append(line)
        }
        return out
    }

    /// An engine with the App `greeter` and the Cluster `host-pool` of docs/kinds/job.md applied.
    static func engine() throws -> (EngineProcess, String) {
        let engine = try EngineProcess()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-sdkpage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let kinds = try String(contentsOf: ProcessRunner.root.appendingPathComponent("docs/kinds/job.md"), encoding: .utf8)
        let manifests = kinds.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
            .filter { $0.contains("name: greeter") || $0.contains("name: host-pool") }
        precondition(manifests.count == 2, "docs/kinds/job.md lost its App run")
        try manifests.joined(separator: "\n---\n").write(to: dir.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let applied = try ProcessRunner.run(ProcessRunner.product("bcapply"), [dir.path, "-auto-approve", "-no-color"],
                                            environment: ["BCOPS_DATA": engine.dataDirectory])
        precondition(applied.status == 0, applied.combined)
        return (engine, dir.path)
    }

    static func bcctl(_ engine: EngineProcess, _ args: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(ProcessRunner.product("bcctl"), args, environment: ["BCOPS_DATA": engine.dataDirectory])
    }

    static func waitForEnd(_ engine: EngineProcess, _ job: String) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let r = try bcctl(engine, ["job", job, "-json"])
            if let o = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
               ["Finished", "Failed", "Stopped"].contains(o["state"] as? String ?? "") { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    @Test func theSDKProgramOfThePageSubmitsAnAppJob() throws {
        let (engine, _) = try Self.engine()
        defer { engine.stop() }
        let program = try #require(try Self.blocks("python").first)
        let r = try ProcessRunner.run(Self.python, ["-c", program], environment: ["BCOPS_DATA": engine.dataDirectory])
        #expect(r.status == 0, "\(r.combined)")
        #expect(r.stdout.contains("submitted job-"), "\(r.stdout)")
        try Self.waitForEnd(engine, "sdk-greet")
        let logs = try Self.bcctl(engine, ["logs", "sdk-greet"])
        #expect(logs.status == 0 && logs.stdout == "hello the SDK from instance 0\n", "\(logs.combined)")
    }

    @Test func bcsLocalFindsTheEngineWritesItsConfigAndRunsTheApp() throws {
        let (engine, _) = try Self.engine()
        defer { engine.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-bcshome-\(UUID().uuidString)").path
        let env = ["BCOPS_DATA": engine.dataDirectory, "BCS_HOME": home]
        let launcher = ProcessRunner.root.appendingPathComponent("scripts/bcs-local").path
        let apps = try ProcessRunner.run(Self.python, [launcher, "a"], environment: env)
        #expect(apps.status == 0 && apps.stdout.contains("| greeter "), "\(apps.combined)")
        let config = try String(contentsOfFile: home + "/.batchcompute/cliconfig", encoding: .utf8)
        #expect(config.contains("ssl = false") && config.contains("accesskeyid = \(engine.credentials.accessKeyId)"), "\(config)")

        let cluster = try Self.clusterId(engine)
        #expect(cluster.hasPrefix("cls-"), "\(cluster)")
        let asub = try ProcessRunner.run(Self.python, [launcher, "asub", "greeter", "--input_name", "bcs", "--config", "ClusterId=\(cluster)"],
                                         environment: env)
        #expect(asub.status == 0 && asub.stdout.contains("Job created: job-"), "\(asub.combined)")
        try Self.waitForEnd(engine, "app-job")
        let logs = try Self.bcctl(engine, ["logs", "app-job"])
        #expect(logs.stdout == "hello bcs from instance 0\n", "\(logs.combined)")
        let job = try Self.bcctl(engine, ["job", "app-job"])
        #expect(job.stdout.contains("manifest: none (not submitted by bcops)"), "\(job.stdout)")

        // Without an engine it says where it looked.
        let none = try ProcessRunner.run(Self.python, [launcher, "j"], environment: ["BCOPS_DATA": home + "/nowhere", "BCS_HOME": home])
        #expect(none.status == 1 && none.stderr.contains("bcs-local: no engine: \(home)/nowhere/endpoint does not exist"), "\(none.combined)")
    }

    /// `host-pool`'s id, through the SDK as the page's readers would find it.
    static func clusterId(_ engine: EngineProcess) throws -> String {
        let r = try ProcessRunner.run(python, ["-c", """
            import sys
            from batchcompute import Client
            Client.register_region('local', '127.0.0.1', int(sys.argv[1]))
            c = Client('127.0.0.1', sys.argv[2], sys.argv[3])
            print([x.Id for x in c.list_clusters('', 100).Items if x.Name == 'host-pool'][0])
            """, String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret])
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

import BCTestSupport
import Foundation
import Testing
@testable import BCEngine

/// App jobs run their App's command line with parameters filled in; packages are unpacked;
/// images need a container runtime or a cluster with `Runtime: host`.
@Suite(.serialized) struct AppAndPackageTests {
    static func body(_ o: [String: Any]) -> Data { try! JSONSerialization.data(withJSONObject: o) }

    static func cluster(_ engine: EngineProcess, runtime: String? = nil) async throws -> String {
        var o: [String: Any] = ["Name": "c", "ImageId": "img-ubuntu", "Groups": ["g": ["DesiredVMCount": 1, "InstanceType": "ecs.sn1.medium"]]]
        if let runtime { o["Runtime"] = runtime }
        return try await engine.request("POST", "/clusters", body: Self.body(o)).json["Id"] as! String
    }

    static func log(_ engine: EngineProcess, _ job: String, _ task: String, _ n: Int) throws -> String {
        try String(contentsOfFile: "\(engine.dataDirectory)/oss/b/logs/stdout.\(job).\(task).\(n)", encoding: .utf8)
    }

    @Test func appJobRunsTheTemplateWithParametersOnAHostRuntimeCluster() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let cluster = try await Self.cluster(engine, runtime: "host")
        let app = try await engine.request("POST", "/apps", body: Self.body([
            "Name": "render", "CommandLine": "echo frames=${frames} format=${format} node=$BATCH_COMPUTE_DAG_INSTANCE_ID",
            "Docker": ["Image": "registry.example/blender:1.0"],
            "InputParameters": ["frames": ["Type": "String"], "format": ["Type": "String", "Default": "PNG"]],
            "Config": ["InstanceCount": ["Default": 2, "Overwritable": true]],
        ]))
        #expect(app.status == 201)
        let job = try await engine.request("POST", "/jobs", body: Self.body([
            "Name": "render-job", "Type": "App",
            "App": ["AppName": "render", "Inputs": ["frames": "1-4"], "Config": ["ClusterId": cluster],
                    "Logging": ["StdoutPath": "oss://b/logs/", "StderrPath": "oss://b/logs/"]],
        ]))
        let id = try #require(job.json["Id"] as? String, "\(job.json)")
        let done = try await ExecutionTests.waitFor(engine, id) { ["Finished", "Failed"].contains($0["State"] as? String ?? "") }
        #expect(done["State"] as? String == "Finished", "\(done)")
        #expect(try Self.log(engine, id, "app", 1) == "frames=1-4 format=PNG node=1\n")
    }

    /// A job whose task runs in `ubuntu:24.04`; its command makes `marker`, a host path no
    /// container sees, so the file exists only if the command ran on the host.
    static func jobInImage(_ engine: EngineProcess, marker: String) async throws -> String {
        let cluster = try await Self.cluster(engine)
        let job = try await engine.request("POST", "/jobs", body: Self.body([
            "Name": "in-image", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": 1, "ClusterId": cluster,
                                    "Parameters": ["Command": ["CommandLine": "sh -c 'touch \(marker) 2>/dev/null; echo hi'", "PackagePath": "",
                                                               "Docker": ["Image": "ubuntu:24.04"]],
                                                   "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"]]]],
        ]))
        return try #require(job.json["Id"] as? String, "\(String(decoding: job.body, as: UTF8.self))")
    }

    static func marker() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("bcops-ran-on-the-host-\(UUID().uuidString)").path
    }

    /// Which of the two tests below runs depends on the host: the engine inherits this
    /// environment, so it finds the runtime `LocalExecutor.findContainerRuntime()` finds here.
    /// The other one is reported skipped, with its reason.
    @Test(.enabled(if: ContainerRuntimeTests.onThisHost == nil,
                   "this host has a working container runtime: anImageRunsThroughTheContainerRuntimeNeverOnTheHost checks that branch"))
    func anImageWithoutAContainerRuntimeFailsWithTheReason() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let marker = Self.marker()
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let id = try await Self.jobInImage(engine, marker: marker)
        let done = try await ExecutionTests.waitFor(engine, id) { ["Finished", "Failed"].contains($0["State"] as? String ?? "") }
        #expect(done["State"] as? String == "Failed", "\(done)")
        #expect((done["Message"] as? String ?? "").contains("no container runtime (podman or docker)"), "\(done)")
        let instance = try await engine.request("GET", "/jobs/\(id)/tasks/t/instances/0").json
        #expect((instance["Result"] as? [String: Any])?["ErrorCode"] as? String == "NoContainerRuntime", "\(instance)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the command ran on the host")
    }

    /// Where podman or docker answers, the task goes through it in its image: it finishes with the
    /// command's output (the image could be pulled), or fails with the runtime's own error naming
    /// the image (it could not); never `NoContainerRuntime`, and never on the host.
    @Test(.enabled(if: ContainerRuntimeTests.onThisHost != nil,
                   "no container runtime answers on this host (podman or docker info fails): anImageWithoutAContainerRuntimeFailsWithTheReason checks that branch"))
    func anImageRunsThroughTheContainerRuntimeNeverOnTheHost() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let marker = Self.marker()
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let id = try await Self.jobInImage(engine, marker: marker)
        // A pull can take minutes.
        let done = try await ExecutionTests.waitFor(engine, id, seconds: 600) { ["Finished", "Failed"].contains($0["State"] as? String ?? "") }
        let instance = try await engine.request("GET", "/jobs/\(id)/tasks/t/instances/0").json
        let code = (instance["Result"] as? [String: Any])?["ErrorCode"] as? String ?? ""
        let stdout = (try? Self.log(engine, id, "t", 0)) ?? ""
        let stderr = (try? String(contentsOfFile: "\(engine.dataDirectory)/oss/b/logs/stderr.\(id).t.0", encoding: .utf8)) ?? ""
        #expect(!FileManager.default.fileExists(atPath: marker), "the command ran on the host")
        #expect(code != "NoContainerRuntime", "\(instance)")
        switch done["State"] as? String {
        case "Finished": #expect(stdout == "hi\n", "\(done)")
        case "Failed": #expect(code == "NonZeroExitCode" && stderr.contains("ubuntu:24.04"), "the runtime's error names the image: \(instance) \(stderr)")
        default: Issue.record("the job did not end: \(done)")
        }
    }

    @Test func packagePathIsUnpackedIntoTheWorkingDirectory() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let cluster = try await Self.cluster(engine)
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-pkg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        try "echo from-package $1\n".write(toFile: staging + "/run.sh", atomically: true, encoding: .utf8)
        let bucket = engine.dataDirectory + "/oss/b/pkg"
        try FileManager.default.createDirectory(atPath: bucket, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-czf", bucket + "/worker.tar.gz", "-C", staging, "run.sh"]
        try tar.run()
        tar.waitUntilExit()
        let job = try await engine.request("POST", "/jobs", body: Self.body([
            "Name": "pkg", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": 1, "ClusterId": cluster,
                                    "Parameters": ["Command": ["CommandLine": "sh run.sh ok", "PackagePath": "oss://b/pkg/worker.tar.gz"],
                                                   "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"]]]],
        ]))
        let id = try #require(job.json["Id"] as? String)
        let done = try await ExecutionTests.waitFor(engine, id) { ["Finished", "Failed"].contains($0["State"] as? String ?? "") }
        #expect(done["State"] as? String == "Finished", "\(done)")
        #expect(try Self.log(engine, id, "t", 0) == "from-package ok\n")
    }
}

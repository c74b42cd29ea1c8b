import Foundation
import Testing
@testable import BCEngine

/// Issue #11, severe item 3, the half the end-to-end tests cannot reach on a host without a
/// container runtime: where one answers, an image named by `bcs sub --docker` (the
/// `BATCH_COMPUTE_DOCKER_IMAGE` EnvVar) or by `Command.Docker.Image` runs through it, never on
/// the host; `Runtime: host` runs the command on the host; no runtime fails `NoContainerRuntime`.
/// A fake runtime records its arguments and runs the command it was given.
@Suite struct ContainerRuntimeTests {
    /// The runtime the engine finds on this host (`podman` or `docker` that answers `info`), or
    /// nil. Engines started by the tests inherit this process's environment, so they find the
    /// same one: end-to-end tests of images check the branch it decides.
    static let onThisHost: String? = LocalExecutor.findContainerRuntime()

    static func plan(env: [String: String] = [:], docker: String? = nil) throws -> TaskPlan {
        var command: [String: Any] = ["CommandLine": "echo in-image", "PackagePath": "", "EnvVars": env]
        if let docker { command["Docker"] = ["Image": docker] }
        let body = try JSONSerialization.data(withJSONObject: [
            "Name": "docker", "Type": "DAG",
            "DAG": ["Tasks": ["task": ["InstanceCount": 1, "ClusterId": "cls-x",
                                       "Parameters": ["Command": command, "StdoutRedirectPath": "", "StderrRedirectPath": ""]]],
                    "Dependencies": [:] as [String: Any]],
        ] as [String: Any])
        return try #require(TaskPlan(description: String(decoding: body, as: UTF8.self), task: "task", app: nil))
    }

    static func prepared(_ dir: String) -> LocalExecutor.Prepared {
        LocalExecutor.Prepared(launch: ProcessLaunch(commandLine: "echo in-image", workingDirectory: dir, environment: ["PATH": "/usr/bin:/bin"],
                                                     stdoutPath: dir + "/out", stderrPath: dir + "/err", timeoutSeconds: 30))
    }

    @Test func bcsSubDockersImageRunsThroughTheRuntimeAndOnTheHostOnlyWhereTheClusterSaysSo() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-runtime-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runtime = dir + "/fake-runtime"
        // Records its arguments, then runs what follows the image (`/bin/sh -c COMMAND`).
        try "#!/bin/sh\nprintf '%s\\n' \"$@\" > \(dir)/args\nwhile [ $# -gt 3 ]; do shift; done\nexec \"$@\"\n"
            .write(toFile: runtime, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: runtime)
        let objects = ObjectStore(root: dir + "/oss")
        let bcsSub = try Self.plan(env: ["BATCH_COMPUTE_DOCKER_IMAGE": "localhost:5000/myubuntu",
                                         "BATCH_COMPUTE_DOCKER_REGISTRY_OSS_PATH": "oss://mybucket/dockers/"])
        #expect(bcsSub.image == "localhost:5000/myubuntu")
        #expect(try Self.plan(docker: "ubuntu:24.04").image == "ubuntu:24.04")
        #expect(try Self.plan(env: ["BATCH_COMPUTE_DOCKER_IMAGE": ""], docker: "").image == nil, "an empty image is none")

        // A runtime answers: the command runs through it, in the image.
        let withRuntime = LocalExecutor(dataDirectory: dir, objects: objects, keeper: nil, containerRuntime: runtime)
        var inImage = Self.prepared(dir)
        #expect(withRuntime.adapt(&inImage, TaskRun(plan: bcsSub, pool: "cluster:cls-x")) == nil)
        #expect(inImage.launch.commandLine.hasPrefix("\(LocalExecutor.shellQuote(runtime)) run --rm "), "\(inImage.launch.commandLine)")
        #expect(await LocalExecutorTests.run(inImage.launch, keeper: nil) == .exited(0))
        let args = try String(contentsOfFile: dir + "/args", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(Array(args.suffix(4)) == ["localhost:5000/myubuntu", "/bin/sh", "-c", "echo in-image"], "\(args)")
        #expect(try String(contentsOfFile: dir + "/out", encoding: .utf8) == "in-image\n")

        // Runtime: host: on the host, because the cluster says so, even with a runtime.
        var onHost = Self.prepared(dir)
        #expect(withRuntime.adapt(&onHost, TaskRun(plan: bcsSub, pool: "cluster:cls-x", runsOnHost: true)) == nil)
        #expect(onHost.launch.commandLine == "echo in-image")

        // No runtime, no Runtime: host: refused with the reason, as an App with Docker.Image is.
        let without = LocalExecutor(dataDirectory: dir, objects: objects, keeper: nil, containerRuntime: nil)
        var refused = Self.prepared(dir)
        let refusal = without.adapt(&refused, TaskRun(plan: bcsSub, pool: "cluster:cls-x"))
        #expect(refusal?.code == "NoContainerRuntime")
        #expect(refusal?.message.contains("localhost:5000/myubuntu") == true)
    }
}

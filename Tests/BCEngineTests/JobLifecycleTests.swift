import BCTestSupport
import Foundation
import Testing
@testable import BCEngine

/// Job behaviour through the official SDK (Tests/BCEngineTests/sdk/sdk_jobs.py): ids never
/// reused, restarting failed jobs, the ClusterId filter, AutoRelease, synchronous App jobs,
/// undeclared App inputs, cluster EnvVars on the nodes, and fair scheduling across clusters.
@Suite(.serialized) struct JobLifecycleTests {
    static func sdk(_ engine: EngineProcess, _ check: String, _ args: [String] = []) throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-sdk-jobs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let r = try SDKPython.run("sdk_jobs.py", [String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret,
                                                  engine.dataDirectory, scratch, check] + args)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("all checks passed"), "\(r.output)")
        #expect(!r.output.contains(engine.credentials.accessKeySecret), "the secret must not be printed")
        return r.output
    }

    /// A deleted job's id went to the next job created in the same second, which then ran the
    /// deleted job's command line (a cache keyed by job id outlived its job).
    @Test func idsAreNeverReusedAcrossDeletesAndRestarts() throws {
        let engine = try EngineProcess()
        let seen = engine.dataDirectory + ".seen-ids"
        defer { try? FileManager.default.removeItem(atPath: seen) }
        _ = try Self.sdk(engine, "ids", [seen])
        engine.kill()
        let again = try EngineProcess(dataDirectory: engine.dataDirectory)
        defer { again.stop() }
        _ = try Self.sdk(again, "ids-after-restart", [seen])
    }

    @Test func startingAFailedJobRunsOnlyItsFailedInstancesAgain() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "restart-failed")
    }

    @Test func listJobsFiltersByCluster() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "list-by-cluster")
    }

    @Test func autoReleaseDeletesAFinishedJob() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "auto-release")
    }

    @Test func synchronousAppJobsAnswerWithTheSDKsShape() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "sync")
    }

    @Test func appJobsWithUndeclaredInputsAreRefused() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "app-unknown-input")
    }

    @Test func changingThePriorityChangesTheDescriptionToo() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "priority-description")
    }

    /// `BATCH_COMPUTE_OSS_HOST` was `localhost` (port 80): the templates' oss2 clients never reached the engine.
    @Test func tasksReachTheEnginesOSSThroughBatchComputeOSSHost() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "oss-host")
    }

    @Test func clusterMountsAndInputMappingReachTheTasks() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "cluster-mounts")
    }

    @Test func listJobsHonoursIsReverseAndListTasksItsClusterFilter() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "list-order")
    }

    @Test func clusterEnvVarsReachTheTasks() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "cluster-env")
    }

    // Fair scheduling (issue #11, severe item 2) through the SDK, at sizes that keep the suite
    // fast; SchedulingFairnessTests has the 10,000-instance cases over raw HTTP.

    @Test func aJobOnAnIdleClusterStartsBehindABacklogOnAFullCluster() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "backlog-full", ["2000", String(SchedulingFairnessTests.oneDispatchCycle)])
    }

    @Test func aJobOnAnIdleClusterStartsBehindABacklogOnAZeroNodeCluster() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "backlog-empty", ["2000", String(SchedulingFairnessTests.oneDispatchCycle)])
    }

    @Test func priorityStillHoldsWithinAClusterThroughTheSDK() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "priority", ["100"])
    }

    @Test func aDAGWhoseDownstreamTaskSortsFirstCompletesThroughTheSDK() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        _ = try Self.sdk(engine, "dag-downstream-first", ["1000"])
    }

    /// `bcs sub --docker` sends the image as EnvVars; the engine ignored them and ran the
    /// command on the host, as root. Now it runs there only on a cluster with `Runtime: host`;
    /// elsewhere it goes through the host's container runtime, or fails NoContainerRuntime
    /// where none answers (`LocalExecutor.findContainerRuntime()`): the test checks whichever
    /// branch this host takes.
    @Test func bcsSubDockerRunsOnTheHostOnlyWhereTheClusterSaysSo() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        var ids: [String] = []
        for runtime in ["host", "container"] {
            let body = try JSONSerialization.data(withJSONObject: [
                "Name": "docker-\(runtime)", "ImageId": "img-ubuntu", "Runtime": runtime,
                "Groups": ["g": ["DesiredVMCount": 1, "InstanceType": "ecs.sn1.medium"]],
            ] as [String: Any])
            ids.append(try #require(try await engine.request("POST", "/clusters", body: body).json["Id"] as? String))
        }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-bcs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        // The engine inherits this environment, so it finds the same runtime (or none). With none,
        // the container cluster's job must fail NoContainerRuntime; with one, it must go through
        // it (the runtime's answer, never the host), and the script says which branch it checked.
        let runtime = ContainerRuntimeTests.onThisHost
        let r = try SDKPython.run("bcs_docker.py", [String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret,
                                                    home, engine.dataDirectory] + ids + [runtime ?? ""])
        #expect(r.status == 0, "\(r.output)")
        #expect(!r.output.contains("FAIL"), "\(r.output)")
        #expect(r.output.components(separatedBy: "ok   ").count == (runtime == nil ? 7 : 8), "\(r.output)")
    }
}

import BCTestSupport
import Foundation
import Testing

/// Run state (issue 13, item 6): a job held on a cluster with no nodes is shown waiting, and
/// why; validate warns about it; a job whose cluster is deleted fails with that reason; and
/// -destroy stops runs before it deletes the clusters they use.
@Suite(.serialized) struct RunStateTests {
    static let idle = """
        apiVersion: bcops.io/v1
        kind: Cluster
        metadata:
          name: idle
        spec:
          imageId: img-ubuntu
          instanceType: ecs.sn1.medium
          runtime: host
          groups:
            main:
              desiredCount: 0
        """

    static let stuck = """
        apiVersion: bcops.io/v1
        kind: Job
        metadata:
          name: stuck
        spec:
          tasks:
            say:
              cluster: idle
              command: echo hi
        """

    @Test func validateWarnsAboutARunOnAClusterWithNoNodes() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Self.idle)
        try e.write("job.yaml", Self.stuck)
        let r = try e.run("bcplan", ["validate", e.dir.path, "-no-color"])
        #expect(r.status == 0, "a warning does not fail validate: \(r.combined)")
        #expect(r.stderr == "warning: \(e.dir.path)/job.yaml:8:16: Job/stuck: spec.tasks.say.cluster: cluster \"idle\" has no nodes "
                + "(desiredCount is 0 in every group): task say will wait until a group's desiredCount is raised\n", "\(r.stderr)")
        #expect(r.stdout == "Success! 2 manifests in 2 files valid (1 warning).\n")
        let json = try e.run("bcplan", ["validate", e.dir.path, "-json"])
        #expect(json.status == 0)
        #expect(json.stdout.contains("\"warning_count\": 1") && json.stdout.contains("\"severity\": \"warning\""), "\(json.stdout)")
        #expect(json.stdout.contains("\"valid\": true"))
        // A node in any group: nothing to say.
        try e.edit("cluster.yaml", "desiredCount: 0", "desiredCount: 1")
        let fine = try e.run("bcplan", ["validate", e.dir.path, "-no-color"])
        #expect(fine.stderr.isEmpty && fine.stdout == "Success! 2 manifests in 2 files valid.\n", "\(fine.combined)")
    }

    @Test func aJobOnAClusterWithNoNodesIsWaitingNotRunning() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Self.idle)
        try e.write("job.yaml", Self.stuck)
        #expect(try e.apply().status == 0)
        Thread.sleep(forTimeInterval: 0.5)  // the scheduler has looked at it, and left it waiting
        let plan = try e.plan()
        #expect(plan.stdout.contains("  Job/stuck: waiting (cluster idle has 0 nodes) (job-"), "\(plan.stdout)")
        let json = try e.plan("-json")
        #expect(json.stdout.contains("\"bcops_run_status\":\"waiting (cluster idle has 0 nodes)\""), "\(json.stdout)")
        // Read in full (its manifest changed): the live counts say the same.
        try e.edit("cluster.yaml", "runtime: host", "runtime: host\n  env:\n    X: \"1\"")
        #expect(try e.plan().stdout.contains("  Job/stuck: waiting (cluster idle has 0 nodes) (job-"))
    }

    /// -destroy deleted the cluster under a waiting job (runs were kept) and the job waited
    /// forever. Now the unfinished run is stopped and deleted first, and the plan says why; a
    /// finished run is still kept (only -prune-runs deletes it).
    @Test func destroyStopsUnfinishedRunsBeforeTheirClusters() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Self.idle)
        try e.write("job.yaml", Self.stuck)
        try e.write("workers.yaml", Estate.cluster)
        try e.write("greet.yaml", Estate.job)
        #expect(try e.apply().status == 0)
        let done = try FailedRunTests.waitForRun(e, e.dir.path, "Job/greet")
        #expect(done.stdout.contains("Job/greet: already succeeded"), "\(done.stdout)")
        let plan = try e.plan("-destroy")
        #expect(plan.stdout.contains("  # Job/stuck will be destroyed\n  # (because it has not finished: runs are stopped and deleted first, then Apps, then the clusters they ran on)\n"),
                "\(plan.stdout)")
        #expect(!plan.stdout.contains("Job/greet will be destroyed") && plan.stdout.contains("1 run is no longer in configuration and is kept"))
        #expect(plan.stdout.contains("Plan: 0 to add, 0 to change, 3 to destroy."))
        let applied = try e.apply("-destroy")
        #expect(applied.status == 0, "\(applied.combined)")
        let jobDone = try #require(applied.stdout.range(of: "Job/stuck: Destruction complete"), "\(applied.stdout)")
        let clusterStart = try #require(applied.stdout.range(of: "Cluster/idle: Destroying..."))
        #expect(jobDone.lowerBound < clusterStart.lowerBound, "the run goes before its cluster")
        #expect(try e.owned("default") == 1, "nothing is left waiting; the finished run is kept")
    }

    /// The cluster of a waiting job is deleted (its manifest removed; the run's kept): the job
    /// fails at once, and the plan shows why.
    @Test func aJobWhoseClusterIsDeletedFailsWithThatReason() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Self.idle)
        try e.write("job.yaml", Self.stuck)
        #expect(try e.apply().status == 0)
        try e.remove("cluster.yaml")
        try e.remove("job.yaml")
        let deleted = try e.apply("-allow-mass-delete")
        #expect(deleted.status == 0, "\(deleted.combined)")
        let id = try #require(deleted.stdout.split(separator: "\n").first { $0.contains("cls-") }.flatMap { line in
            line.range(of: #"cls-[a-z0-9]+"#, options: .regularExpression).map { String(line[$0]) }
        }, "\(deleted.stdout)")
        // Put the job's manifest back: the plan reads the run again, and says how it ended.
        try e.write("cluster.yaml", Self.idle)
        try e.write("job.yaml", Self.stuck)
        let deadline = Date().addingTimeInterval(5)
        var plan = try e.plan()
        while !plan.stdout.contains("Job/stuck: failed") && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            plan = try e.plan()
        }
        #expect(plan.stdout.contains("Job/stuck: failed (last attempt job-") && plan.stdout.contains(": cluster \(id) was deleted)"), "\(plan.stdout)")
    }
}

import BCTestSupport
import Foundation
import Testing

/// Two appliers at once, and an applier killed mid-way.
@Suite(.serialized) struct ConcurrencyAndCrashTests {
    /// `n` resources: every fourth a Cluster (created with an idempotency token), the rest Apps
    /// (named, adopted back after an interrupted create).
    func apps(_ n: Int, in e: Estate) throws {
        var text = ""
        for i in 0..<n where i % 4 == 0 {
            text += """
                apiVersion: bcops.io/v1
                kind: Cluster
                metadata:
                  name: pool-\(i)
                spec:
                  imageId: img-ubuntu
                  instanceType: ecs.sn1.medium
                  groups:
                    main:
                      desiredCount: 0

                ---

                """
        }
        for i in 0..<n where i % 4 != 0 {
            text += """
                apiVersion: bcops.io/v1
                kind: App
                metadata:
                  name: app-\(i)
                spec:
                  image:
                    docker:
                      image: busybox
                  commandLine: echo \(i)

                ---

                """
        }
        try e.write("apps.yaml", text)
    }

    @Test func aHeldLockStopsAnotherApplyAndLockTimeoutWaitsForIt() async throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        // Someone else (another machine: its lease is not taken over) holds the workspace.
        let take = try e.run("bcctl", ["lock", "list", "-json"])
        #expect(take.stdout == "[]\n", "\(take.combined)")
        let holder = try e.sdkLock(owner: "ci@elsewhere pid 1", ttl: 6)
        let refused = try e.apply()
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Error acquiring the state lock") && refused.stderr.contains("ci@elsewhere pid 1"), "\(refused.stderr)")
        #expect(refused.stderr.contains("ID:        \(holder)"))
        let listed = try e.run("bcctl", ["lock", "list"])
        #expect(listed.stdout.contains(holder) && listed.stdout.contains("Operation: test"))
        // The lease is not renewed: it expires and a waiting apply goes ahead.
        let waited = try e.apply("-lock-timeout=30s")
        #expect(waited.status == 0, "\(waited.combined)")
        #expect(waited.stdout.contains("Apply complete!"))
    }

    @Test func twoApplyProcessesAtOnceCreateEachObjectOnce() throws {
        let e = try Estate()
        try apps(30, in: e)
        let env = e.engine.clientEnvironment
        let launch = { () throws -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: ProcessRunner.product("bcapply"))
            p.arguments = [e.dir.path, "-auto-approve", "-no-color", "-lock-timeout=60s", "-parallelism=2"]
            p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        let a = try launch(), b = try launch()
        a.waitUntilExit()
        b.waitUntilExit()
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
        let plan = try e.plan("-detailed-exitcode")
        #expect(plan.status == 0, "\(plan.stdout)")
        #expect(try e.ownedCount() == 30)
        #expect(Set(try e.appNames()).count == 22)
    }

    @Test func anApplyKilledFiveTimesConvergesToExactlyTheManifests() throws {
        let e = try Estate()
        try apps(200, in: e)
        var kills = 0
        var generator = SystemRandomNumberGenerator()
        // Five kills at random moments; an apply that outruns its kill (a fast machine) is
        // tried again, up to 12 times, so that the test always interrupts some.
        for _ in 0..<12 where kills < 5 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: ProcessRunner.product("bcapply"))
            p.arguments = [e.dir.path, "-auto-approve", "-no-color", "-lock-timeout=30s"]
            p.environment = ProcessInfo.processInfo.environment.merging(e.engine.clientEnvironment) { $1 }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 10_000...250_000, using: &generator))
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                kills += 1
            }
            p.waitUntilExit()
        }
        let finish = try e.apply("-lock-timeout=30s")
        #expect(finish.status == 0, "\(finish.combined)")
        #expect(kills >= 1, "no apply was interrupted: the test proves nothing")
        #expect(try e.ownedCount() == 200)
        #expect(try e.plan("-detailed-exitcode").status == 0)
        // Every app exists once, under its own name.
        let names = try e.appNames()
        #expect(names.count == 150 && Set(names).count == 150)
    }
}

import BCTestSupport
import Foundation
import Testing

/// Errors that say what to do next (issue #13, items 1 and 10), from the real executables: an
/// engine that does not answer is named with where its address came from and how to start one;
/// a named data directory without an `endpoint` file is said so (no silent default port);
/// another engine's refusal of the keys names the engine reached; `bcctl import` given a
/// cluster's name says which ID to give.
@Suite(.serialized) struct NewcomerErrorsTests {
    static func run(_ tool: String, _ args: [String], env: [String: String]) throws -> ProcessRunner.Output {
        let clean = ["BCOPS_ENDPOINT": "", "BCOPS_ACCESS_KEY_ID": "", "BCOPS_ACCESS_KEY_SECRET": "", "BCOPS_DATA": "", "BCOPS_WORKSPACE": ""]
        return try ProcessRunner.run(ProcessRunner.product(tool), args, environment: clean.merging(env) { $1 })
    }

    static func scratch(_ tag: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-newcomer-\(tag)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return dir
    }

    /// Every command that talks to the engine, as a user types it.
    static let engineCommands: [(String, [String])] = [
        ("bcplan", ["examples/fixed-cluster", "-no-color"]),
        ("bcapply", ["examples/fixed-cluster", "-no-color", "-auto-approve"]),
        ("bcctl", ["lock", "list"]),
        ("bcctl", ["logs", "some-job"]),
        ("bcctl", ["render", "status", "some-job"]),
        ("bcctl", ["import", "Cluster/farm", "cls-none"]),
        ("bcctl", ["forget", "Cluster/farm"]),
    ]

    @Test func aNamedDataDirectoryWithoutAnEndpointFileSaysSoAndTriesNoDefaultPort() throws {
        // A directory an engine served once (its keys are there) and that none serves now.
        let data = try Self.scratch("noendpoint")
        let credentials = data + "/credentials.json"
        try #"{"AccessKeyId": "BCnewcomer", "AccessKeySecret": "s3cr3t"}"#.write(toFile: credentials, atomically: true, encoding: .utf8)
        chmod(credentials, 0o600)
        for (tool, args) in Self.engineCommands {
            let r = try Self.run(tool, args, env: ["BCOPS_DATA": data])
            #expect(r.status == 1, "\(tool) \(args): \(r.combined)")
            #expect(r.stderr.contains("no engine has written \(data)/endpoint: none serves \(data) now"), "\(tool) \(args): \(r.stderr)")
            #expect(r.stderr.contains("start one with `bcctl engine serve --data \(data)`, or set BCOPS_ENDPOINT"), "\(tool) \(args): \(r.stderr)")
            #expect(!r.stderr.contains("9411") && !r.stderr.contains("InvalidAccessKeyId"), "no silent default port: \(r.stderr)")
        }
    }

    @Test func anUnreachableEndpointSaysNoEngineAtItWhereItCameFromAndHowToStartOne() throws {
        let env = ["BCOPS_ENDPOINT": "http://127.0.0.1:1", "BCOPS_ACCESS_KEY_ID": "id", "BCOPS_ACCESS_KEY_SECRET": "secret"]
        let expected = """
            no engine at http://127.0.0.1:1 (address from env BCOPS_ENDPOINT; connection refused): \
            start one with `bcctl engine serve --data DIR --listen 127.0.0.1:1`, or set BCOPS_ENDPOINT
            """
        for (tool, args) in Self.engineCommands + [("bcctl", ["oss", "ls", "oss://bkt/"])] {
            let r = try Self.run(tool, args, env: env)
            #expect(r.status != 0, "\(tool) \(args): \(r.combined)")
            #expect(r.stderr.contains("Error: " + expected), "\(tool) \(args): \(r.stderr)")
            #expect(!r.stderr.contains("SingleConnectionFailure") && !r.stderr.contains("errno"), "no connection internals: \(r.stderr)")
            #expect(!r.stderr.contains("secret"))
        }
    }

    @Test func theDefaultPortIsTriedOnlyWhenNothingIsConfiguredAndTheMessageSaysSo() throws {
        // The default data directory is the user's own (~/.local/share/bcops): only without an engine's endpoint there.
        let home = NSHomeDirectory() + "/.local/share/bcops"
        guard !FileManager.default.fileExists(atPath: home + "/endpoint") else { return }
        let r = try Self.run("bcplan", ["examples/fixed-cluster", "-no-color"], env: ["BCOPS_ACCESS_KEY_ID": "id", "BCOPS_ACCESS_KEY_SECRET": "secret"])
        #expect(r.status == 1, "\(r.combined)")
        // Whether nothing answers there or another engine refuses the keys, the address is named as the default.
        #expect(r.stderr.contains("""
            http://127.0.0.1:9411 (the default: BCOPS_ENDPOINT and BCOPS_DATA are not set, and no engine has written \(home)/endpoint
            """), "\(r.stderr)")
    }

    @Test func anEndpointFileLeftByAKilledEngineIsNamedAsSuch() throws {
        let engine = try EngineProcess()
        let port = engine.port
        engine.kill()
        let r = try Self.run("bcplan", ["examples/fixed-cluster", "-no-color"], env: ["BCOPS_DATA": engine.dataDirectory])
        #expect(r.status == 1, "\(r.combined)")
        #expect(r.stderr.contains("""
            no engine at http://127.0.0.1:\(port) (address from \(engine.dataDirectory)/endpoint; written by an engine that is no longer \
            running; connection refused): start one with `bcctl engine serve --data \(engine.dataDirectory)`, or set BCOPS_ENDPOINT
            """), "\(r.stderr)")
    }

    @Test func anotherEnginesRefusalOfTheKeysNamesTheEngineReached() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let r = try Self.run("bcplan", ["examples/fixed-cluster", "-no-color"],
                             env: ["BCOPS_ENDPOINT": "http://127.0.0.1:\(engine.port)", "BCOPS_ACCESS_KEY_ID": "BCnobody", "BCOPS_ACCESS_KEY_SECRET": "x"])
        #expect(r.status == 1, "\(r.combined)")
        #expect(r.stderr.contains("InvalidAccessKeyId"), "\(r.stderr)")
        #expect(r.stderr.contains("The engine at http://127.0.0.1:\(engine.port) (address from env BCOPS_ENDPOINT) does not know access key BCnobody"),
                "\(r.stderr)")
        #expect(r.stderr.contains("bcctl engine credentials --data"), "\(r.stderr)")
    }

    @Test func importGivenAClusterNameSaysToUseItsIDAndWhichOne() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let repo = try Self.scratch("import")
        try """
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: workers
            spec:
              imageId: img-ubuntu
              instanceType: ecs.sn1.medium
              runtime: host
              groups:
                main:
                  desiredCount: 0
            """.write(toFile: repo + "/cluster.yaml", atomically: true, encoding: .utf8)
        let env = engine.clientEnvironment
        let applied = try Self.run("bcapply", [repo, "-no-color", "-auto-approve", "-workspace", "other"], env: env)
        #expect(applied.status == 0, "\(applied.combined)")

        let byName = try Self.run("bcctl", ["import", "Cluster/adopted", "workers"], env: env)
        #expect(byName.status == 1, "\(byName.combined)")
        #expect(byName.stderr.contains("workers is not a cluster ID: import clusters by their cls-… id. The cluster named workers is cls-"),
                "\(byName.stderr)")
        #expect(byName.stderr.contains(": bcctl import Cluster/adopted cls-"), "the exact command: \(byName.stderr)")
        #expect(!byName.stderr.contains("InvalidResource.NotFound"), "no raw 404: \(byName.stderr)")

        let unknown = try Self.run("bcctl", ["import", "Cluster/adopted", "nothing-so-named"], env: env)
        #expect(unknown.status == 1, "\(unknown.combined)")
        #expect(unknown.stderr.contains("nothing-so-named is not a cluster ID: import clusters by their cls-… id; `bcs c` lists them"),
                "\(unknown.stderr)")
    }

    /// README's first look as a shell runs it: `bcctl engine serve --data DIR &`, then at once
    /// the commands that read DIR. The engine writes `credentials.json` and `endpoint` tens of
    /// milliseconds after it starts; the clients wait for it rather than say "no credentials"
    /// (a pasted first look failed at its first `bcctl oss cp`, plan and apply).
    @Test func commandsRightAfterAnEngineStartsWaitForItToListen() throws {
        let dir = try Self.scratch("starting")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bin = URL(fileURLWithPath: ProcessRunner.product("bcctl")).deletingLastPathComponent().path
        for round in 1...3 {
            let data = "\(dir)/eng\(round)"
            let clean = ["BCOPS_ENDPOINT": "", "BCOPS_ACCESS_KEY_ID": "", "BCOPS_ACCESS_KEY_SECRET": "", "BCOPS_WORKSPACE": ""]
            let r = try ProcessRunner.run("/bin/bash", ["-c", """
                set -e
                '\(bin)/bcctl' engine serve --data '\(data)' --listen 127.0.0.1:0 > '\(data).log' 2>&1 &
                engine=$!
                trap 'kill $engine; wait $engine' EXIT
                export BCOPS_DATA='\(data)'
                echo hello > '\(dir)/pkg\(round).txt'
                '\(bin)/bcctl' oss cp '\(dir)/pkg\(round).txt' oss://first-look/pkg.txt
                '\(bin)/bcplan' examples/fixed-cluster -no-color | tail -1
                """], environment: clean)
            #expect(r.status == 0, "round \(round): \(r.combined)")
            #expect(r.stdout.contains("-> oss://first-look/pkg.txt"), "round \(round): \(r.combined)")
            #expect(r.stdout.contains("Plan: 1 to run, 1 to add, 0 to change, 0 to destroy."), "round \(round): \(r.combined)")
            #expect(!r.stderr.contains("no credentials") && !r.stderr.contains("no engine"), "round \(round): \(r.stderr)")
        }
    }
}

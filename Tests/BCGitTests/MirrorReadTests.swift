import Foundation
import Testing
@testable import BCGit

extension GitMirrorTests {
    @Test func clonesByPathAndReadsManifestsFromTheTree() throws {
        let fx = try GitFixture()
        let sha = try fx.commit(GitFixture.manifests, message: "Add manifests\n\nWith a body.")
        let mirror = try GitMirror(url: fx.origin, directory: fx.mirrorDir)

        #expect(try mirror.head(branch: "main") == sha)
        #expect(try mirror.head(branch: "main") == fx.revParse("main"))
        // Bare: no working copy, only the object database.
        #expect(!FileManager.default.fileExists(atPath: fx.mirrorDir + "/deploy"))
        #expect(FileManager.default.fileExists(atPath: fx.mirrorDir + "/HEAD"))

        let deploy = try mirror.files(at: sha, under: "deploy")
        #expect(deploy.map(\.path) == ["deploy/cluster.yaml", "deploy/jobs/deep/er/frame.yaml", "deploy/jobs/nightly.yml"])
        #expect(deploy.map(\.text) == ["kind: Cluster\nname: render\n", "kind: Job\nname: frame\n", "kind: Job\nname: nightly\n"])

        #expect(try mirror.files(at: sha, under: "deploy/jobs/").map(\.path)
                == ["deploy/jobs/deep/er/frame.yaml", "deploy/jobs/nightly.yml"])
        #expect(try mirror.files(at: sha, under: "").count == 5)
        #expect(try mirror.files(at: sha, under: ".").map(\.path) == [
            "deploy/cluster.yaml", "deploy/jobs/deep/er/frame.yaml", "deploy/jobs/nightly.yml",
            "other/pool.yaml", "top.yaml",
        ])
        #expect(try mirror.files(at: sha, under: "deploy", suffixes: [".md"]).map(\.path) == ["deploy/README.md"])
        #expect(try mirror.files(at: sha, under: "deploy/cluster.yaml").map(\.path) == ["deploy/cluster.yaml"])

        let missing = gitError { try mirror.files(at: sha, under: "nope") }
        #expect(missing?.reason == .notFound)
        #expect(missing?.message.contains("nope") == true)
        #expect(gitError { try mirror.files(at: String(repeating: "0", count: 40), under: "") }?.reason == .notFound)
        #expect(gitError { try mirror.info("not-a-sha") }?.reason == .notFound)

        let info = try mirror.info(sha)
        #expect(info.sha == sha)
        #expect(info.summary == "Add manifests")
        #expect(info.author == "Ada Tester <ada@example.com>")
        #expect(abs(info.time.timeIntervalSinceNow) < 600)
        #expect(try mirror.info(String(sha.prefix(10))).sha == sha)
    }

    @Test func clonesByFileURL() throws {
        let fx = try GitFixture()
        let sha = try fx.commit(GitFixture.manifests, message: "Add manifests")
        let mirror = try GitMirror(url: "file://" + fx.origin, directory: fx.mirrorDir)
        #expect(try mirror.head(branch: "main") == sha)
        #expect(try mirror.files(at: sha, under: "deploy").count == 3)
    }

    @Test func reopensItsOwnMirrorAndReplacesAnotherURLsMirror() throws {
        let fx = try GitFixture()
        let sha = try fx.commit(GitFixture.manifests, message: "Add manifests")
        _ = try GitMirror(url: fx.origin, directory: fx.mirrorDir)
        let marker = fx.mirrorDir + "/bcgit-test-marker"
        #expect(FileManager.default.createFile(atPath: marker, contents: Data()))

        // Same URL: opened as it is, not cloned again.
        let reopened = try GitMirror(url: fx.origin, directory: fx.mirrorDir)
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(try reopened.head(branch: "main") == sha)

        // Another URL: removed and cloned afresh.
        let other = try GitFixture()
        let otherSha = try other.commit(["x.yaml": "a: 1\n"], message: "other")
        let replaced = try GitMirror(url: other.origin, directory: fx.mirrorDir)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(try replaced.head(branch: "main") == otherSha)
    }

    @Test func initOnGarbageClonesAfresh() throws {
        let fx = try GitFixture()
        let sha = try fx.commit(GitFixture.manifests, message: "Add manifests")
        try FileManager.default.createDirectory(atPath: fx.mirrorDir + "/objects", withIntermediateDirectories: true)
        try "garbage".write(toFile: fx.mirrorDir + "/HEAD", atomically: true, encoding: .utf8)
        try "more garbage".write(toFile: fx.mirrorDir + "/junk", atomically: true, encoding: .utf8)

        let mirror = try GitMirror(url: fx.origin, directory: fx.mirrorDir)
        #expect(!FileManager.default.fileExists(atPath: fx.mirrorDir + "/junk"))
        #expect(try mirror.head(branch: "main") == sha)
        #expect(try mirror.files(at: sha, under: "deploy").count == 3)
        #expect(mirror.verify())
    }
}

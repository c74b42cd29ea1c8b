import Foundation
import Testing
@testable import BCGit

extension GitMirrorTests {
    @Test func fetchMovesTheHeadAndAnEmptyFetchChangesNothing() throws {
        let fx = try GitFixture()
        let first = try fx.commit(GitFixture.manifests, message: "Add manifests")
        let mirror = try GitMirror(url: fx.origin, directory: fx.mirrorDir)
        #expect(try mirror.head(branch: "main") == first)

        let second = try fx.commit(["deploy/cluster.yaml": "kind: Cluster\nname: render2\n",
                                    "deploy/new.yaml": "kind: Job\n",
                                    "deploy/jobs/nightly.yml": nil], message: "Change")
        #expect(try mirror.head(branch: "main") == first)  // not before a fetch
        try mirror.fetch()
        #expect(try mirror.head(branch: "main") == second)
        #expect(try mirror.isAncestor(first, of: second))
        #expect(try !mirror.isAncestor(second, of: first))
        #expect(try mirror.files(at: second, under: "deploy").map(\.path)
                == ["deploy/cluster.yaml", "deploy/jobs/deep/er/frame.yaml", "deploy/new.yaml"])
        // The old commit stays readable.
        #expect(try mirror.files(at: first, under: "deploy").map(\.path).contains("deploy/jobs/nightly.yml"))

        let refsBefore = try fx.git("--git-dir", fx.mirrorDir, "for-each-ref")
        let seconds = try mirror.fetch()
        #expect(seconds < 1.0)
        #expect(try mirror.head(branch: "main") == second)
        #expect(try fx.git("--git-dir", fx.mirrorDir, "for-each-ref") == refsBefore)
    }

    @Test func aDeletedBranchIsMissing() throws {
        let fx = try GitFixture()
        try fx.commit(GitFixture.manifests, message: "Add manifests")
        let feature = try fx.commit(["feature.yaml": "a: 1\n"], message: "Feature", branch: "feature")
        let mirror = try GitMirror(url: fx.origin, directory: fx.mirrorDir)
        #expect(try mirror.head(branch: "feature") == feature)

        try fx.git("-C", fx.work, "push", "--quiet", "origin", "--delete", "feature")
        try mirror.fetch()
        let error = gitError { try mirror.head(branch: "feature") }
        #expect(error?.reason == .branchMissing)
        #expect(error?.message.contains("feature") == true)
        #expect(gitError { try mirror.head(branch: "never-existed") }?.reason == .branchMissing)
        #expect(gitError { try mirror.head(branch: "bad..name") }?.reason == .branchMissing)
    }

    @Test func aForcePushLeavesTheNewHeadOffTheOldHistory() throws {
        let fx = try GitFixture()
        let base = try fx.commit(GitFixture.manifests, message: "Base")
        let old = try fx.commit(["deploy/a.yaml": "v: 1\n"], message: "Old")
        let mirror = try GitMirror(url: fx.origin, directory: fx.mirrorDir)
        #expect(try mirror.head(branch: "main") == old)

        try fx.git("-C", fx.work, "reset", "--quiet", "--hard", base)
        let rewritten = try fx.commit(["deploy/b.yaml": "v: 2\n"], message: "Rewritten", force: true)
        try mirror.fetch()
        #expect(try mirror.head(branch: "main") == rewritten)
        #expect(try !mirror.isAncestor(old, of: rewritten))
        #expect(try mirror.isAncestor(base, of: rewritten))
        #expect(try mirror.isAncestor(rewritten, of: rewritten))
        // The commit synced before the force-push is still in the mirror.
        #expect(try mirror.files(at: old, under: "deploy").map(\.path).contains("deploy/a.yaml"))
    }

    /// Guards the libgit2 1.5.1 leak workaround: a remote created per fetch leaks 120–250 KB
    /// each time, so 200 fetches through the mirror's one remote must stay nearly flat.
    @Test func manyFetchesThroughOneMirrorDoNotGrowMemory() throws {
        let fx = try GitFixture()
        try fx.commit(GitFixture.manifests, message: "Add manifests")
        let mirror = try GitMirror(url: fx.origin, directory: fx.mirrorDir)
        for _ in 0..<20 { try mirror.fetch() }  // warm up caches and allocator arenas

        let before = residentBytes()
        for _ in 0..<200 { try mirror.fetch() }
        let growth = residentBytes() - before
        #expect(growth < 20 << 20, "RSS grew by \(growth >> 10) KiB over 200 fetches")
    }

    /// The controller verifies after every fetch, and verify() opens a fresh handle each time:
    /// that must stay flat too.
    @Test func manyVerifiesDoNotGrowMemory() throws {
        let fx = try GitFixture()
        try fx.commit(GitFixture.manifests, message: "Add manifests")
        let mirror = try GitMirror(url: fx.origin, directory: fx.mirrorDir)
        for _ in 0..<20 { #expect(mirror.verify()) }

        let before = residentBytes()
        for _ in 0..<200 { _ = mirror.verify() }
        let growth = residentBytes() - before
        #expect(growth < 20 << 20, "RSS grew by \(growth >> 10) KiB over 200 verifies")
    }
}

/// The resident set size from /proc/self/statm (second field, in pages).
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * sysconf(Int32(_SC_PAGESIZE))
}

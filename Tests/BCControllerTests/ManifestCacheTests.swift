import BCAPI
@testable import BCController
import BCGit
import BCManifest
import BCModel
@testable import BCPlan
import BCTestSupport
import Foundation
import Testing

/// The controller's manifest cache reads only the files a commit changed, and must give what a
/// cold load gives for the same commit: the same problems, and the same detailed JSON plan.
@Suite struct ManifestCacheTests {
    static let cluster = Estate.cluster
    static func app(_ command: String = "echo hello ${name}", input: String = "name") -> String { Estate.app(commandLine: command, input: input) }
    static let run = Estate.appRun
    static let dag = Estate.job(name: "count")

    /// A commit's files as git lists them: the blob id stands for the content (the same
    /// content, the same id), and a file the cache knows is listed without its bytes, as
    /// `GitSource.snapshot` does.
    static func commit(_ files: [String: String], known: Set<ManifestCache.Key>) -> [GitFile] {
        files.keys.sorted().map { path in
            let text = files[path]!
            let blob = FieldHasher.hex(HMACDigest.sha256.mac(key: [], message: Array(text.utf8)))
            if known.contains(ManifestCache.Key(path: path, blob: blob)) { return GitFile(path: path, bytes: [], blob: blob, isRead: false) }
            return GitFile(path: path, bytes: Array(text.utf8), blob: blob)
        }
    }

    /// The detailed JSON plan of a set against an empty estate, or its problems.
    static func outcome(_ loaded: LoadResult) -> String {
        guard loaded.isValid else { return loaded.diagnostics.map(\.description).joined(separator: "\n") }
        let (desired, errors) = PlanPipeline.lower(loaded.manifests)
        guard errors.isEmpty else { return errors.joined(separator: "\n") }
        var plan = PlanPipeline.plan(desired: desired, files: [], workspace: WorkspaceState(workspace: "default", lineage: "l", serial: 1),
                                     live: LiveState(), options: PlanOptions(), hasher: FieldHasher(accessKeySecret: "k"),
                                     readSecret: { _ in nil }, detailed: true, manifestsHash: "")
        plan.createdAt = "at"
        return JSONPlanRenderer.render(plan, version: "test").canonicalString
    }

    @Test func incrementalLoadsGiveTheColdPlanOverACommitSequence() throws {
        let steps: [(String, [String: String])] = [
            ("add", ["estate/cluster.yaml": Self.cluster, "estate/app.yaml": Self.app(), "estate/run.yaml": Self.run, "estate/dag.yaml": Self.dag]),
            ("edit", ["estate/cluster.yaml": Self.cluster, "estate/app.yaml": Self.app("echo hi ${name}"), "estate/run.yaml": Self.run, "estate/dag.yaml": Self.dag]),
            ("rename", ["estate/cluster.yaml": Self.cluster, "estate/apps/hello.yaml": Self.app("echo hi ${name}"), "estate/run.yaml": Self.run, "estate/dag.yaml": Self.dag]),
            // The App drops the input the unchanged run gives: the run's file is not read again,
            // and its problem is still found.
            ("break", ["estate/cluster.yaml": Self.cluster, "estate/apps/hello.yaml": Self.app("echo hi ${who}", input: "who"), "estate/run.yaml": Self.run, "estate/dag.yaml": Self.dag]),
            ("fix", ["estate/cluster.yaml": Self.cluster, "estate/apps/hello.yaml": Self.app("echo hi ${name}"), "estate/run.yaml": Self.run, "estate/dag.yaml": Self.dag]),
            ("delete", ["estate/cluster.yaml": Self.cluster, "estate/apps/hello.yaml": Self.app("echo hi ${name}"), "estate/dag.yaml": Self.dag]),
        ]
        var cache = ManifestCache()
        var outcomes: [String: String] = [:]
        for (name, files) in steps {
            let listed = Self.commit(files, known: cache.known)
            let incremental = cache.load(listed)
            let cold = ManifestLoader().load(sources: files.keys.sorted().map { ($0, Array(files[$0]!.utf8)) })
            #expect(incremental.result.diagnostics.map(\.description) == cold.diagnostics.map(\.description), "\(name)")
            #expect(incremental.result.files == cold.files, "\(name)")
            #expect(incremental.result.documentCount == cold.documentCount, "\(name)")
            let plan = Self.outcome(incremental.result)
            #expect(plan == Self.outcome(cold), "\(name)")
            outcomes[name] = plan
            // Only what the commit changed was read.
            let read = listed.filter(\.isRead).count
            #expect(incremental.read == read, "\(name)")
            #expect(incremental.reused == listed.count - read, "\(name)")
        }
        #expect(outcomes["add"]!.contains("\"resource_changes\""))
        #expect(outcomes["edit"]! != outcomes["add"]!)
        #expect(outcomes["fix"] == outcomes["edit"], "renaming a file changes no plan")
        #expect(outcomes["break"]!.contains("estate/run.yaml"), "\(outcomes["break"]!)")
        #expect(outcomes["break"]!.contains("App \"hello\" has no input named \"name\""), "\(outcomes["break"]!)")
        #expect(!outcomes["delete"]!.contains("Job/greet"))
    }

    /// A change that breaks a reference held in a file the commit did not touch is caught,
    /// and the unchanged file is not read again.
    @Test func aBrokenReferenceInAnUnchangedFileIsCaught() throws {
        var cache = ManifestCache()
        _ = cache.load(Self.commit(["cluster.yaml": Self.cluster, "dag.yaml": Self.dag], known: cache.known))
        let renamed = Self.cluster.replacingOccurrences(of: "name: workers", with: "name: pool")
        let listed = Self.commit(["cluster.yaml": renamed, "dag.yaml": Self.dag], known: cache.known)
        #expect(listed.first { $0.path == "dag.yaml" }?.isRead == false)
        let loaded = cache.load(listed)
        #expect(loaded.read == 1 && loaded.reused == 1)
        #expect(!loaded.result.isValid)
        let problems = loaded.result.diagnostics.map(\.description)
        #expect(problems.contains { $0.hasPrefix("dag.yaml:") && $0.contains("Cluster \"workers\" is not defined") }, "\(problems)")
    }

    /// Kept manifests hold no YAML tree: a problem in a kept file is located by parsing the
    /// file's bytes again, at the same `path:line:col` as a cold load, in a file of several
    /// documents (an empty one among them), on a key and on a value, and for a duplicate name
    /// ("first defined at path:line").
    @Test func aProblemInAKeptFileIsLocatedAsOnAColdLoad() throws {
        let jobs = "# the jobs\n---\n---\n" + Self.run + "\n---\n# the DAG\n" + Self.dag + "\n"
        let duplicate = Self.dag.replacingOccurrences(of: "echo hi", with: "echo again")
        let steps: [(String, [String: String])] = [
            ("valid", ["estate/pool.yaml": Self.cluster, "estate/app.yaml": Self.app(), "estate/jobs.yaml": jobs]),
            ("break", ["estate/pool.yaml": Self.cluster.replacingOccurrences(of: "name: workers", with: "name: pool"),
                       "estate/app.yaml": Self.app("echo hi ${who}", input: "who"), "estate/jobs.yaml": jobs]),
            ("duplicate", ["estate/pool.yaml": Self.cluster, "estate/app.yaml": Self.app(), "estate/jobs.yaml": jobs, "estate/a-dup.yaml": duplicate]),
            ("again", ["estate/pool.yaml": Self.cluster, "estate/app.yaml": Self.app(), "estate/jobs.yaml": jobs, "estate/a-dup.yaml": duplicate]),
            ("fixed", ["estate/pool.yaml": Self.cluster, "estate/app.yaml": Self.app(), "estate/jobs.yaml": jobs]),
        ]
        var cache = ManifestCache()
        var problems: [String: [String]] = [:]
        for (name, files) in steps {
            let listed = Self.commit(files, known: cache.known)
            if name != "valid" { #expect(listed.first { $0.path == "estate/jobs.yaml" }?.isRead == false, "\(name)") }
            let incremental = cache.load(listed)
            let cold = ManifestLoader().load(sources: files.keys.sorted().map { ($0, Array(files[$0]!.utf8)) })
            problems[name] = incremental.result.diagnostics.map(\.description)
            #expect(problems[name] == cold.diagnostics.map(\.description), "\(name)")
            #expect(Self.outcome(incremental.result) == Self.outcome(cold), "\(name)")
            // Every kept manifest's tree, parsed again, is where the cold load's is.
            #expect(incremental.result.manifests.count == cold.manifests.count, "\(name)")
            for (k, c) in zip(incremental.result.manifests, cold.manifests) {
                #expect(k.file == c.file && k.documentIndex == c.documentIndex && k.start == c.start, "\(name)")
                for field: FieldPath in ["metadata.name", "spec.config.cluster", "spec.tasks.say.cluster", "spec.inputs.name", "spec"] {
                    #expect(k.root.locate(field).start == c.root.locate(field).start, "\(name) \(c.file) \(field)")
                }
            }
        }
        let broken = problems["break"]!
        #expect(broken.contains { $0.hasPrefix("estate/jobs.yaml:") && $0.contains("Job/count: spec.tasks.say.cluster:") && $0.contains("Cluster \"workers\" is not defined") }, "\(broken)")
        #expect(broken.contains { $0.hasPrefix("estate/jobs.yaml:") && $0.contains("Job/greet: spec.config.cluster:") }, "\(broken)")
        #expect(broken.contains { $0.hasPrefix("estate/jobs.yaml:") && $0.contains("Job/greet: spec.inputs") && $0.contains("no input named \"name\"") }, "\(broken)")
        #expect(problems["duplicate"]!.contains { $0.hasPrefix("estate/jobs.yaml:") && $0.contains("first defined at estate/a-dup.yaml:1") }, "\(problems["duplicate"]!)")
        #expect(problems["again"] == problems["duplicate"])
        #expect(problems["fixed"] == [])
    }

    /// Kept lowerings are shared by every plan, not handed over to the first.
    @Test func keptLoweringsServeEveryPlan() throws {
        var cache = ManifestCache()
        let files = ["cluster.yaml": Self.cluster, "app.yaml": Self.app()]
        let first = cache.load(Self.commit(files, known: cache.known))
        let again = cache.load(Self.commit(files, known: cache.known))
        #expect(again.read == 0 && again.reused == 2)
        #expect(Self.outcome(first.result) == Self.outcome(again.result))
        #expect(Self.outcome(again.result) == Self.outcome(again.result))
        #expect(again.result.manifests.allSatisfy { $0.prepared is PlanPipeline.Kept })
    }
}

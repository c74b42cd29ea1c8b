import BCTestSupport
import Foundation
import Testing
@testable import BCPlan

/// Workspaces (issue 13, item 2): the settings file a directory carries, the precedence of
/// -workspace, BCOPS_WORKSPACE and that file, the plan's header, and names another workspace
/// owns, stopped at plan time.
@Suite(.serialized) struct WorkspaceSettingsTests {
    static func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-ws-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/.bcops", withIntermediateDirectories: true)
        return dir
    }

    static func settings(_ dir: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: dir + "/.bcops", withIntermediateDirectories: true)
        try text.write(toFile: dir + "/.bcops/settings.yaml", atomically: true, encoding: .utf8)
    }

    // MARK: Precedence and the file

    @Test func flagThenEnvironmentThenSettingsThenDefault() throws {
        let dir = try Self.scratch()
        try Self.settings(dir, "# the example's own\nworkspace: farm\n")
        let file = dir + "/.bcops/settings.yaml"
        let fromFile = try WorkspaceSettings.resolve(flag: nil, environment: [:], directories: [dir])
        #expect(fromFile == WorkspaceChoice(name: "farm", source: .settings(file: file)))
        #expect(fromFile.origin == "from \(file)")
        let fromEnv = try WorkspaceSettings.resolve(flag: nil, environment: ["BCOPS_WORKSPACE": "ci"], directories: [dir])
        #expect(fromEnv.name == "ci" && fromEnv.source == .environment)
        #expect(fromEnv.origin == "from BCOPS_WORKSPACE; \(file) says farm", "a setting overridden is named")
        let fromFlag = try WorkspaceSettings.resolve(flag: "staging", environment: ["BCOPS_WORKSPACE": "ci"], directories: [dir])
        #expect(fromFlag.name == "staging" && fromFlag.source == .flag)
        let empty = try Self.scratch()
        let fallback = try WorkspaceSettings.resolve(flag: nil, environment: ["BCOPS_WORKSPACE": ""], directories: [empty])
        #expect(fallback.name == "default")
        #expect(fallback.origin == "the default: no -workspace, no BCOPS_WORKSPACE, no \(empty)/.bcops/settings.yaml")
        // A file names no directory's settings; a comments-only settings file sets nothing.
        try Self.settings(empty, "# nothing yet\n")
        #expect(try WorkspaceSettings.resolve(flag: nil, environment: [:], directories: [empty, dir + "/x.yaml"]).name == "default")
    }

    @Test func directoriesThatDisagreeNeedAFlag() throws {
        let a = try Self.scratch(), b = try Self.scratch()
        try Self.settings(a, "workspace: one\n")
        try Self.settings(b, "workspace: two\n")
        #expect(throws: WorkspaceSettings.Problem.self) { try WorkspaceSettings.resolve(flag: nil, environment: [:], directories: [a, b]) }
        do { _ = try WorkspaceSettings.resolve(flag: nil, environment: [:], directories: [a, b]) } catch {
            #expect(error.description.contains("says one") && error.description.contains("says two") && error.description.contains("-workspace NAME"))
        }
        #expect(try WorkspaceSettings.resolve(flag: "both", environment: [:], directories: [a, b]).name == "both")
        try Self.settings(b, "workspace: one\n")
        #expect(try WorkspaceSettings.resolve(flag: nil, environment: [:], directories: [a, b]).name == "one")
    }

    @Test func aBrokenSettingsFileIsALocatedError() throws {
        func problem(_ text: String) -> String {
            do { _ = try WorkspaceSettings.parse(Array(text.utf8), file: "s.yaml"); return "" } catch { return error.description }
        }
        #expect(problem("workspce: farm\n") == "s.yaml:1:1: workspce: unknown setting \"workspce\"; did you mean \"workspace\"?; the settings are: workspace")
        #expect(problem("workspace: \"no spaces\"\n") == "s.yaml:1:12: workspace: \"no spaces\" is not a workspace name: 1 to 63 letters, digits, '.', '_' or '-'")
        #expect(problem("workspace: [a]\n").hasPrefix("s.yaml:1:12: workspace: expected a workspace name, got list"))
        #expect(problem("- farm\n").hasPrefix("s.yaml:1:1: expected a mapping"))
        #expect(try WorkspaceSettings.parse(Array("workspace: farm.2_x-y\n".utf8), file: "s.yaml") == "farm.2_x-y")
    }

    @Test func everyExampleCarriesItsOwnWorkspace() throws {
        let examples = ProcessRunner.root.appendingPathComponent("examples").path
        // Every example repository (examples/ci holds pipeline files, no manifests).
        let names = try FileManager.default.contentsOfDirectory(atPath: examples).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: examples + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue && name != "ci"
        }
        #expect(Set(names).isSuperset(of: ["quickstart", "render-farm", "render-manager-quickstart", "docker-app", "docker-app-update",
                                           "gatk", "sge-cluster", "fixed-cluster"]))
        for name in names {
            let read = try WorkspaceSettings.read(directory: examples + "/" + name)
            #expect(read?.workspace == name, "examples/\(name)/.bcops/settings.yaml names workspace \(name)")
        }
        // Not a manifest: the whole tree still validates, the settings files unread by the loader.
        let r = try ProcessRunner.run(ProcessRunner.product("bcplan"), ["validate", "examples", "-no-color"])
        #expect(r.status == 0, "\(r.combined)")
    }

    // MARK: End to end

    /// The README's first look, then the quick start: before, both planned the default
    /// workspace, and the quick start's plan destroyed the first look's cluster.
    @Test func examplesPlannedOneAfterAnotherLeaveEachOtherAlone() throws {
        let e = try Estate()
        let quickstart = ProcessRunner.root.appendingPathComponent("examples/quickstart").path
        let fixed = ProcessRunner.root.appendingPathComponent("examples/fixed-cluster").path
        let applied = try e.run("bcapply", [fixed, "-auto-approve", "-no-color"])
        #expect(applied.status == 0, "\(applied.combined)")
        #expect(applied.stdout.hasPrefix("Workspace: fixed-cluster (from \(fixed)/.bcops/settings.yaml)\n"), "\(applied.stdout)")
        let next = try e.run("bcplan", [quickstart, "-no-color"])
        #expect(next.status == 0, "\(next.combined)")
        #expect(next.stdout.hasPrefix("Workspace: quickstart (from \(quickstart)/.bcops/settings.yaml)\n"), "\(next.stdout)")
        #expect(next.stdout.contains("Plan: 1 to run, 2 to add, 0 to change, 0 to destroy."), "\(next.stdout)")
        #expect(try e.owned("fixed-cluster") == 2, "the cluster and the job are labelled with the example's workspace")
        #expect(try e.owned("default") == 0)
    }

    @Test func theEnvironmentAndTheFlagWinOverTheSettingsAndTheHeaderSaysSo() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try Self.settings(e.dir.path, "workspace: from-file\n")
        let file = e.dir.path + "/.bcops/settings.yaml"
        #expect(try e.plan().stdout.hasPrefix("Workspace: from-file (from \(file))\n"))
        let env = try e.run("bcplan", [e.dir.path, "-no-color"], env: ["BCOPS_WORKSPACE": "from-env"])
        #expect(env.stdout.hasPrefix("Workspace: from-env (from BCOPS_WORKSPACE; \(file) says from-file)\n"), "\(env.stdout)")
        let flag = try e.run("bcapply", [e.dir.path, "-no-color", "-auto-approve", "-workspace", "from-flag"], env: ["BCOPS_WORKSPACE": "from-env"])
        #expect(flag.status == 0, "\(flag.combined)")
        #expect(flag.stdout.hasPrefix("Workspace: from-flag (from -workspace; \(file) says from-file)\n"), "\(flag.stdout)")
        #expect(try e.owned("from-flag") == 1 && e.owned("from-file") == 0 && e.owned("from-env") == 0)
        #expect(try e.run("bcapply", [e.dir.path, "-no-color", "-auto-approve", "-destroy", "-workspace", "from-flag"]).status == 0)
        // A broken settings file stops the plan, located, before the engine is asked.
        try Self.settings(e.dir.path, "workspace: two words\n")
        let broken = try e.plan()
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("\(file):1:12: workspace: \"two words\" is not a workspace name"), "\(broken.stderr)")
        // A saved plan is applied in its own workspace, whatever the settings say now.
        try Self.settings(e.dir.path, "workspace: saved\n")
        let out = e.dir.path + "/saved.bcplan"
        #expect(try e.plan("-out", out).status == 0)
        try Self.settings(e.dir.path, "workspace: elsewhere\n")
        let savedApply = try e.run("bcapply", [out, "-no-color"])
        #expect(savedApply.status == 0, "\(savedApply.combined)")
        #expect(try e.owned("saved") == 1 && e.owned("elsewhere") == 0)
    }

    /// Forgetting the example's workspace made a second Cluster/render-farm-nodes, then failed
    /// on AlreadyExists at the App. Now the plan stops first, naming the owner and the fixes.
    @Test func aNameAnotherWorkspaceOwnsStopsThePlanWithTheWayOut() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("app.yaml", Estate.app)
        try e.write("job.yaml", Estate.job)
        try Self.settings(e.dir.path, "workspace: team-a\n")
        #expect(try e.apply().status == 0)
        let clash = try e.plan("-workspace", "team-b")
        #expect(clash.status == 1, "\(clash.combined)")
        let file = e.dir.path + "/.bcops/settings.yaml"
        #expect(clash.stderr.contains("\(e.dir.path)/cluster.yaml:4:9: Cluster/workers: metadata.name: Cluster/workers already exists in workspace \"team-a\" (cls-"),
                "\(clash.stderr)")
        #expect(clash.stderr.contains("and this plan is for workspace \"team-b\" (from -workspace; \(file) says team-a)"))
        #expect(clash.stderr.contains("leave out -workspace: \(file) says team-a"))
        #expect(clash.stderr.contains("bcctl forget Cluster/workers -workspace team-a, then bcctl import Cluster/workers cls-"))
        #expect(clash.stderr.contains("App/hello already exists in workspace \"team-a\" (hello)"))
        #expect(clash.stderr.contains("Job/greet already exists in workspace \"team-a\"") && clash.stderr.contains("runs cannot be imported"))
        #expect(clash.stderr.contains("Error: 3 objects this plan would create belong to another workspace; nothing was planned"))
        // bcapply stops at the same point: no second cluster, no AlreadyExists.
        let applied = try e.run("bcapply", [e.dir.path, "-no-color", "-auto-approve"], env: ["BCOPS_WORKSPACE": "team-b"])
        #expect(applied.status == 1)
        #expect(!applied.combined.contains("AlreadyExists"), "\(applied.combined)")
        #expect(try e.owned("team-b") == 0 && e.owned("team-a") == 3)
        // The plan did not keep team-b's lock.
        #expect(try e.run("bcctl", ["lock", "list"]).stdout.contains("No locks are held."))
    }

    /// More creates of a kind than it asks about one by one: one list of the kind instead.
    @Test func manyCollisionsAreFoundWithOneListPerKind() throws {
        let e = try Estate()
        for i in 0..<(WorkspaceCollisions.perObjectLimit + 2) {
            try e.write("app-\(i).yaml", Estate.app.replacingOccurrences(of: "name: hello", with: "name: hello-\(i)"))
        }
        try e.write("cluster.yaml", Estate.cluster)
        #expect(try e.apply("-workspace", "many-a").status == 0)
        let clash = try e.plan("-workspace", "many-b")
        #expect(clash.status == 1)
        #expect(clash.stderr.contains("App/hello-17 already exists in workspace \"many-a\" (hello-17)"), "\(clash.stderr)")
        #expect(clash.stderr.contains("Cluster/workers already exists in workspace \"many-a\""))
        #expect(clash.stderr.contains("Error: 19 objects this plan would create belong to another workspace"))
    }

    @Test func importAndForgetReadTheDirectorysSettings() throws {
        let e = try Estate()
        try e.write("app.yaml", Estate.app)
        try Self.settings(e.dir.path, "workspace: apps\n")
        #expect(try e.apply().status == 0)
        let forgot = try e.run("bcctl", ["forget", "App/hello", "-chdir", e.dir.path])
        #expect(forgot.status == 0, "\(forgot.combined)")
        #expect(forgot.stdout.contains("is no longer managed by workspace apps"), "\(forgot.stdout)")
        // An App of that name that bcops does not manage: the plan warns that applying would fail on it.
        let unmanaged = try e.plan()
        #expect(unmanaged.status == 0 && unmanaged.stdout.contains("# App/hello will be created"))
        #expect(unmanaged.stdout.contains("Warning: App/hello: an App named hello exists and is not managed by workspace apps (it has no bcops labels); "
                                          + "applying will fail on it: adopt it with: bcctl import App/hello hello, or rename the manifest"), "\(unmanaged.stdout)")
        let imported = try e.run("bcctl", ["import", "App/hello", "hello", "-chdir", e.dir.path])
        #expect(imported.status == 0, "\(imported.combined)")
        #expect(imported.stdout.contains("Adopted hello into workspace apps"))
        #expect(try e.plan("-detailed-exitcode").status == 0)
    }
}

extension Estate {
    /// How many objects `workspace` owns, through the official SDK.
    func owned(_ workspace: String) throws -> Int {
        let r = try sdk("owned.py", [workspace])
        precondition(r.status == 0, r.combined)
        return Int(r.stdout.split(separator: "\n").first ?? "") ?? -1
    }
}

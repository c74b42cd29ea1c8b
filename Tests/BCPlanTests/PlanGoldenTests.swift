import BCTestSupport
import Foundation
import Testing

/// The detailed JSON plans of every example, and of manifests that set every field the
/// lowering writes (Tests/Fixtures/plan-golden/coverage), stay byte-identical to the checked-in
/// ones (Tests/Fixtures/plan-golden/expected). Each directory gets a fresh engine and is
/// planned fresh; then its objects (not its runs) are applied and it is planned again, with
/// each object replaced (which reads it back in full: the request body, the engine's echo
/// and the live reading all show in `before`), and, for the coverage manifests, after an
/// in-place update is applied. Only what differs per run is normalised: the lineage, the
/// timestamp and the IDs the engine draws (`cls-…`, numbered by first appearance).
///
/// `BCOPS_GOLDEN_UPDATE=1` rewrites the expected files instead of comparing: for a change
/// that means to change plans, and then the diff of the fixtures is the review.
@Suite(.serialized) struct PlanGoldenTests {
    static let fixtures = ProcessRunner.root.appendingPathComponent("Tests/Fixtures/plan-golden")
    static let expected = fixtures.appendingPathComponent("expected")
    static let update = ProcessInfo.processInfo.environment["BCOPS_GOLDEN_UPDATE"] == "1"

    /// Repository-relative directories: the manifests' paths are part of the plan's hash.
    static let directories: [String] = {
        let examples = ProcessRunner.root.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []
        let dirs = names.filter { name in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: examples.appendingPathComponent(name).path, isDirectory: &isDir) && isDir.boolValue
        }
        return dirs.sorted().map { "examples/\($0)" } + ["Tests/Fixtures/plan-golden/coverage"]
    }()

    /// A run kind's objects are submitted, not applied ahead: their plans would depend on how
    /// far the run got.
    static let runKinds: Set<String> = ["Job", "RenderJob", "WorkflowRun"]

    @Test(arguments: directories) func detailedPlansAreUnchanged(_ directory: String) throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let name = URL(fileURLWithPath: directory).lastPathComponent
        var env = engine.clientEnvironment
        env["GOLDEN_TOKEN"] = "s3cret"
        env["BCOPS_WORKSPACE"] = nil
        func tool(_ name: String, _ args: [String]) throws -> ProcessRunner.Output {
            try ProcessRunner.run(ProcessRunner.product(name), args, environment: env)
        }
        func check(_ step: String, _ args: [String]) throws -> String {
            let out = try tool("bcplan", args)
            let text = Self.normalized(out.stdout + out.stderr)
            try compare("\(name).\(step).json", text)
            return text
        }

        let fresh = try check("1-fresh", [directory, "-json"])
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let saved = scratch.appendingPathComponent("plan.bin").path
        guard try tool("bcplan", [directory, "-no-color", "-out", saved]).status == 0 else { return }
        let shown = try tool("bcctl", ["show", "-json", saved])
        try compare("\(name).1-fresh-show.json", Self.normalized(shown.stdout + shown.stderr))

        let targets = try Self.objects(in: fresh)
        guard !targets.isEmpty else { return }
        let targetArgs = targets.flatMap { ["-target", $0] }
        let applied = try tool("bcapply", [directory, "-auto-approve", "-no-color"] + targetArgs)
        #expect(applied.status == 0, "\(applied.combined)")
        _ = try check("3-applied", [directory, "-json"])
        for t in targets { _ = try check("4-replace-\(t.replacingOccurrences(of: "/", with: "-"))", [directory, "-json", "-target", t, "-replace", t]) }

        guard name == "coverage" else { return }
        // An in-place update, applied: ModifyCluster's and ModifyApp's bodies, and the plan after.
        let edit = scratch.appendingPathComponent("edit")
        try FileManager.default.copyItem(at: ProcessRunner.root.appendingPathComponent(directory), to: edit)
        try Self.edit(edit.appendingPathComponent("cluster.yaml"), [("      desiredCount: 1\n", "      desiredCount: 2\n"), ("spotPriceLimit: 0.25", "spotPriceLimit: 0.5")])
        // An SGE cluster's group resized and retyped in place (`bcc resize`, `bcc update -t`).
        try Self.edit(edit.appendingPathComponent("sgecluster.yaml"), [("      desiredCount: 0\n      instanceType: ecs.sn1.large", "      desiredCount: 2\n      instanceType: ecs.sn1.xlarge")])
        try Self.edit(edit.appendingPathComponent("apps.yaml"), [("description: Every app field", "description: Every app field, edited"),
                                                                 ("      default: \"3\"", "      default: \"4\"")])
        _ = try check("5-update", ["-chdir", edit.path, ".", "-json"])
        let updated = try tool("bcapply", ["-chdir", edit.path, ".", "-auto-approve", "-no-color"] + targetArgs)
        #expect(updated.status == 0, "\(updated.combined)")
        _ = try check("7-updated", ["-chdir", edit.path, ".", "-json"])
        for t in targets {
            _ = try check("8-replace-\(t.replacingOccurrences(of: "/", with: "-"))", ["-chdir", edit.path, ".", "-json", "-target", t, "-replace", t])
        }
    }

    func compare(_ file: String, _ text: String) throws {
        let url = Self.expected.appendingPathComponent(file)
        if Self.update {
            try FileManager.default.createDirectory(at: Self.expected, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let want = try String(contentsOf: url, encoding: .utf8)
        #expect(text == want, "\(file) differs from the checked-in plan (BCOPS_GOLDEN_UPDATE=1 rewrites it):\n\(text)")
    }

    /// The addresses of the objects (not runs) a plan's JSON lists.
    static func objects(in planJSON: String) throws -> [String] {
        guard let plan = try JSONSerialization.jsonObject(with: Data(planJSON.utf8)) as? [String: Any],
              let changes = plan["resource_changes"] as? [[String: Any]] else { return [] }
        return changes.compactMap { c in
            guard let type = c["type"] as? String, !runKinds.contains(type) else { return nil }
            return c["address"] as? String
        }
    }

    static func edit(_ url: URL, _ replacements: [(String, String)]) throws {
        var text = try String(contentsOf: url, encoding: .utf8)
        for (from, to) in replacements {
            precondition(text.contains(from), "\(url.lastPathComponent) has no \(from)")
            text = text.replacingOccurrences(of: from, with: to)
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// The lineage and the timestamp replaced, and the engine's cluster IDs numbered in order
    /// of first appearance (`cls-ID1`, …); IDs written in manifests are shorter and stay.
    static func normalized(_ text: String) -> String {
        var t = replacing(#""lineage":"[0-9a-f-]{36}""#, in: text) { _ in #""lineage":"LINEAGE""# }
        t = replacing(#""timestamp":"[^"]*""#, in: t) { _ in #""timestamp":"TIME""# }
        var ids: [String: String] = [:]
        return replacing("cls-[0-9a-z]{12,}", in: t) { id in
            if let known = ids[id] { return known }
            let n = "cls-ID\(ids.count + 1)"
            ids[id] = n
            return n
        }
    }

    static func replacing(_ pattern: String, in text: String, with replacement: (String) -> String) -> String {
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        var out = ""
        var last = 0
        for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: last, length: m.range.location - last))
            out += replacement(ns.substring(with: m.range))
            last = m.range.location + m.range.length
        }
        return out + ns.substring(from: last)
    }
}

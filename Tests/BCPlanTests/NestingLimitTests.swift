import BCClient
import BCModel
import BCTestSupport
import Foundation
import Testing
@testable import BCPlan

/// Hostile nesting in JSON that bcplan and the controller read (API answers, the inventory,
/// the `bcops.io/fields` label): a clear error at `JSONLimits.maxDepth`, never a stack overflow.
@Suite(.serialized) struct NestingLimitTests {
    static func arrays(_ depth: Int) -> [UInt8] {
        [UInt8](repeating: UInt8(ascii: "["), count: depth) + [UInt8](repeating: UInt8(ascii: "]"), count: depth)
    }

    static func objects(_ depth: Int) -> [UInt8] {
        Array(String(repeating: "{\"a\":", count: depth).utf8) + Array("1".utf8) + [UInt8](repeating: UInt8(ascii: "}"), count: depth)
    }

    static func depth(_ v: JSONValue) -> Int {
        var d = 0
        var v = v
        while true {
            switch v {
            case .array(let a) where !a.isEmpty: v = a[0]
            case .array: return d + 1
            case .object(let o) where o["a"] != nil: v = o["a"]!
            default: return d
            }
            d += 1
        }
    }

    @Test func theParserReadsUpToTheLimit() async throws {
        // On a task's thread, as bcplan and the controller parse (not the 8 MiB main thread).
        let (a, o) = try await Task { (try JSONValue.parse(Self.arrays(JSONLimits.maxDepth)), try JSONValue.parse(Self.objects(JSONLimits.maxDepth))) }.value
        #expect(Self.depth(a) == JSONLimits.maxDepth)
        #expect(Self.depth(o) == JSONLimits.maxDepth)
    }

    @Test(arguments: [JSONLimits.maxDepth + 1, 20_000, 1_000_000])
    func deeperIsAClearErrorNotACrash(_ depth: Int) async throws {
        for bytes in [Self.arrays(depth), Self.objects(depth), Array("{\"Items\":[],\"x\":".utf8) + Self.arrays(depth) + [UInt8(ascii: "}")]] {
            let error = await Task { () -> Error? in
                do { _ = try JSONValue.parse(bytes); return nil } catch { return error }
            }.value
            let nesting = try #require(error as? JSONNestingError, "\(String(describing: error))")
            #expect("\(nesting)".contains("nesting deeper than 512"), "\(nesting)")
        }
    }

    @Test func theInventoryReaderRefusesDeepNestingWithTheSameError() async throws {
        // A key the direct reader skips, nested past the limit: the general reading reports it.
        let body = Array(#"{"Items":[{"Collection":"apps","Id":"a","Revision":1,"State":"","Message":"","Labels":{},"Extra":"#.utf8)
            + Self.arrays(100_000) + Array("}]}".utf8)
        let error = await Task { () -> Error? in
            do { _ = try LiveState.inventory(body, workspace: "default"); return nil } catch { return error }
        }.value
        #expect("\(String(describing: error))".contains("nesting deeper than 512"))
        // Nesting within the limit still reads, the direct way or the general one.
        let fine = Array(#"{"Items":[{"Collection":"apps","Id":"a","Revision":1,"State":"","Message":"","Labels":{"bcops.io/workspace":"default","bcops.io/address":"App/a"},"Extra":"#.utf8)
            + Self.arrays(100) + Array("}]}".utf8)
        let state = try #require(try LiveState.inventory(fine, workspace: "default")?.state)
        #expect(state.count == 1)
    }

    @Test func aFieldsLabelNestedTooDeepIsNamed() throws {
        let poisoned = String(repeating: "[", count: 30_000) + String(repeating: "]", count: 30_000)
        #expect(throws: JSONNestingError.self) { try OwnershipLabels.checkFields(poisoned) }
        #expect(OwnershipLabels.decodeFields(poisoned).isEmpty)
        // Real labels, and labels with brackets inside their strings, are fine.
        try OwnershipLabels.checkFields(OwnershipLabels.encodeFields(["spec.commandLine": "abc", "spec.inputs[0]": "def"]))
        try OwnershipLabels.checkFields("{\"k\":\"" + String(repeating: "[", count: 5_000) + "\"}")
        let address = try #require(ResourceAddress("App/hello"))
        let object = LiveResource(address: address, collection: .apps, id: "hello", body: .object([:]),
                                  labels: [OwnershipLabels.fields: poisoned, OwnershipLabels.workspace: "default", OwnershipLabels.address: "App/hello"])
        let error = try #require(LiveState.unreadable(object))
        #expect(error.description.contains("App/hello: live object hello cannot be read: nesting deeper than 512"), "\(error)")
    }

    // MARK: End to end

    /// Writes 60,000 nested brackets (and their 60,000 closing ones) into every App's `bcops.io/fields` label straight in the
    /// engine's SQLite (as a damaged or hostile database would hold it).
    static func poisonApps(_ e: Estate) throws {
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1], timeout=30)
            for name, rev, desc in db.execute("SELECT name, revision, description FROM apps").fetchall():
                d = json.loads(desc)
                d.setdefault("Labels", {})["bcops.io/fields"] = "[" * 60000 + "]" * 60000
                db.execute("UPDATE apps SET description = ? WHERE name = ? AND revision = ?", (json.dumps(d), name, rev))
            db.commit()
            """
        let r = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, e.engine.dataDirectory + "/engine.sqlite"])
        try #require(r.status == 0, "\(r.combined)")
    }

    @Test func aPoisonedLiveObjectFailsThePlanNamingItAndDoesNotCrash() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("app.yaml", Estate.app)
        let applied = try e.apply()
        try #require(applied.status == 0, "\(applied.combined)")
        try Self.poisonApps(e)

        // The lean no-op path: the inventory never carries the fields label, and an object as
        // applied is not read in full, so nothing reads the poisoned label.
        let lean = try e.plan("-detailed-exitcode")
        #expect(lean.status == 0, "\(lean.combined)")
        #expect(lean.stdout.contains("No changes."), "\(lean.stdout)")

        // A changed manifest makes the plan read the App in full: the label is refused by name.
        try e.edit("app.yaml", "commandLine: echo hello ${name}", "commandLine: echo hi ${name}")
        for args in [["-detailed-exitcode"], ["-json"], ["-refresh=false"]] {
            let r = try e.run("bcplan", [e.dir.path, "-no-color"] + args)
            #expect(r.status == 1, "\(args): \(r.combined)")
            #expect(r.stderr.contains("App/hello: live object hello cannot be read: nesting deeper than 512"), "\(args): \(r.combined)")
        }
        let apply = try e.apply()
        #expect(apply.status == 1, "\(apply.combined)")
        #expect(apply.stderr.contains("App/hello: live object hello cannot be read: nesting deeper than 512"), "\(apply.combined)")
        // The lock was given back: a plan after the failure does not wait for it.
        try e.edit("app.yaml", "commandLine: echo hi ${name}", "commandLine: echo hello ${name}")
        let after = try e.plan("-detailed-exitcode", "-lock-timeout=1s")
        #expect(after.status == 0, "\(after.combined)")
        // A damaged object can still be deleted: without its manifest the plan does not read it.
        try e.remove("app.yaml")
        let delete = try e.plan("-detailed-exitcode")
        #expect(delete.status == 2, "\(delete.combined)")
        #expect(delete.stdout.contains("App/hello") && delete.stdout.contains("1 to destroy"), "\(delete.stdout)")
    }
}

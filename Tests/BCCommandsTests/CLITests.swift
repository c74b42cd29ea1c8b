import BCManifest
import BCModel
import Foundation
import Testing
import BCTestSupport

/// The executables as a user runs them: arguments, output and exit codes.
@Suite struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ name: String, _ args: [String], env: [String: String] = [:]) throws -> Run {
        let r = try ProcessRunner.run(ProcessRunner.product(name), args, environment: env)
        return Run(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    static func scratch(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-cli-\(UUID().uuidString)")
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    static let broken = """
    apiVersion: bcops.io/v1
    kind: Cluster
    metadata: {name: farm}
    spec:
      imageId: img-ubuntu
      groups:
        default: {instanceType: ecs.sn1.medum, desiredCount: -1}
      runtim: host
    """

    @Test func validateExamplesSucceedsWithBothFrontEnds() throws {
        for name in ["bcplan", "bcctl"] {
            let r = try Self.run(name, ["validate", "examples"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.hasPrefix("Success! "))
            #expect(r.stderr.isEmpty)
        }
    }

    @Test func validateReportsEveryProblemLocatedAndExitsOne() throws {
        let dir = try Self.scratch(["farm.yaml": Self.broken])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("farm.yaml").path
        let r = try Self.run("bcplan", ["validate", "-no-color", dir.path])
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").map(String.init) == [
            "error: \(file):7:29: Cluster/farm: spec.groups.default.instanceType: unknown instance type \"ecs.sn1.medum\"; did you mean \"ecs.sn1.medium\"? (add it to a catalog file with -catalog if it is new)",
            "error: \(file):7:58: Cluster/farm: spec.groups.default.desiredCount: desiredCount must be ≥ 0, got -1",
            "error: \(file):8:3: Cluster/farm: spec.runtim: unknown field \"runtim\"; did you mean \"runtime\"?",
            "3 problems in 1 file.",
        ])
        #expect(!r.stderr.contains("\u{1B}["), "no colour when not on a terminal")
    }

    @Test func validateJSONHasTerraformShape() throws {
        let dir = try Self.scratch(["farm.yaml": Self.broken])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.run("bcctl", ["validate", "-json", dir.path])
        #expect(r.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["valid"] as? Bool == false)
        #expect(json["error_count"] as? Int == 3)
        let first = try #require((json["diagnostics"] as? [[String: Any]])?.first)
        #expect(first["severity"] as? String == "error")
        #expect(first["address"] as? String == "Cluster/farm")
        #expect(first["field"] as? String == "spec.groups.default.instanceType")
        let range = try #require(first["range"] as? [String: Any])
        #expect((range["start"] as? [String: Any])?["line"] as? Int == 7)
    }

    @Test func catalogFileAddsInstanceTypes() throws {
        let manifest = Self.broken.replacingOccurrences(of: "desiredCount: -1", with: "desiredCount: 1")
            .replacingOccurrences(of: "  runtim: host", with: "").replacingOccurrences(of: "ecs.sn1.medum", with: "ecs.g7.large")
        let dir = try Self.scratch(["farm.yaml": manifest, ".bcops/instance-types.yaml": "instanceTypes:\n  - {name: ecs.g7.large, cpu: 2, memoryGiB: 8}\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let withCatalog = try Self.run("bcctl", ["validate", dir.path])
        #expect(withCatalog.status == 0, "\(withCatalog.stderr)")
        try FileManager.default.removeItem(at: dir.appendingPathComponent(".bcops"))
        let without = try Self.run("bcctl", ["validate", dir.path])
        #expect(without.status == 1)
        #expect(without.stderr.contains("unknown instance type \"ecs.g7.large\""))
    }

    @Test func schemaCommandPrintsAKindAndRejectsUnknownKinds() throws {
        let r = try Self.run("bcctl", ["schema", "RenderJob"])
        #expect(r.status == 0)
        #expect(r.stdout == JSONSchemaWriter.document(for: .RenderJob).render() + "\n")
        let bad = try Self.run("bcctl", ["schema", "Jobs"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("did you mean \"Job\"?"))
    }

    @Test func summaryListsWhatTheExamplesDeclare() throws {
        let r = try Self.run("bcctl", ["summary", "examples/render-farm"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("RenderJob (2)"))
        #expect(r.stdout.contains("frames 1-16 (16) on 3 node(s)"))
        #expect(r.stdout.contains("4 manifests: 2 resources, 2 runs."))
    }

    @Test func withoutAnEngineBcplanAndBcapplySayHowToReachOne() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-noengine-\(UUID().uuidString)").path
        let env = ["BCOPS_DATA": empty, "BCOPS_ENDPOINT": "", "BCOPS_ACCESS_KEY_ID": "", "BCOPS_ACCESS_KEY_SECRET": ""]
        for tool in ["bcplan", "bcapply"] {
            let r = try Self.run(tool, ["examples/fixed-cluster", "-auto-approve"].filter { tool == "bcapply" || $0 != "-auto-approve" }, env: env)
            #expect(r.status == 1, "\(tool): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("no credentials") && r.stderr.contains("bcctl engine serve"), "\(tool): \(r.stderr)")
        }
        // An endpoint that does not answer is named, with BatchCompute's error shape.
        let down = try Self.run("bcplan", ["examples/fixed-cluster"], env: ["BCOPS_ENDPOINT": "http://127.0.0.1:9", "BCOPS_ACCESS_KEY_ID": "id",
                                                                          "BCOPS_ACCESS_KEY_SECRET": "secret"])
        #expect(down.status == 1)
        #expect(down.stderr.contains("no engine at http://127.0.0.1:9 (address from env BCOPS_ENDPOINT"), "\(down.stderr)")
        #expect(!down.stderr.contains("secret"))
    }
}

import BCModel
import Foundation
import Testing
import BCTestSupport
@testable import BCManifest

/// The JSON Schemas in manifests/schema/ are generated from the model and must stay in step with it.
@Suite struct SchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: Kind.allCases)
    func committedSchemaIsUpToDate(kind: Kind) throws {
        let url = SchemaTests.root.appendingPathComponent("manifests/schema/\(JSONSchemaWriter.fileName(for: kind))")
        let committed = try String(contentsOf: url, encoding: .utf8)
        #expect(committed == JSONSchemaWriter.document(for: kind).render() + "\n",
                "manifests/schema is stale: run `bcctl schema -out-dir manifests/schema`")
    }

    @Test func recordedSchemaKnowsRequiredAndOptionalFields() throws {
        guard case .object(let spec) = SchemaRecorder.schema(for: ClusterSpec.self) else { Issue.record("not an object"); return }
        let required = spec.properties.filter(\.required).map(\.name)
        #expect(required == ["imageId", "groups"])
        #expect(spec.properties.map(\.name).prefix(4) == ["description", "imageId", "platform", "instanceType"])
        guard case .map(.object(let group))? = spec.properties.first(where: { $0.name == "groups" })?.schema else {
            Issue.record("groups should be a map of objects"); return
        }
        #expect(group.properties.first(where: { $0.name == "desiredCount" })?.required == true)
        #expect(group.properties.first(where: { $0.name == "resourceType" })?.required == false)
    }

    @Test func enumsAndUnionsAppearInTheSchema() {
        let text = JSONSchemaWriter.document(for: .Cluster).render()
        #expect(text.contains("\"SpotWithPriceLimit\""))
        #expect(text.contains("\"oneOf\""))  // env values: string or secretFrom
        #expect(text.contains("\"additionalProperties\": false"))
    }

    /// A third-party validator (Python jsonschema) must accept every example, and reject a broken manifest.
    @Test func pythonJsonschemaAcceptsExamplesAndRejectsBrokenManifest() throws {
        let schemaDir = SchemaTests.root.appendingPathComponent("manifests/schema").path
        let script = SchemaTests.root.appendingPathComponent("scripts/check_schema.py").path
        let examples = SchemaTests.root.appendingPathComponent("examples").path
        let good = try run("/usr/bin/env", ["python3", script, schemaDir, examples])
        #expect(good.status == 0, "\(good.output)")

        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-broken-\(UUID().uuidString).yaml")
        try """
        apiVersion: bcops.io/v1
        kind: Cluster
        metadata: {name: c}
        spec:
          imageId: img-ubuntu
          groups: {default: {desiredCount: "two"}}
          bogus: 1
        """.write(to: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: broken) }
        let bad = try run("/usr/bin/env", ["python3", script, schemaDir, broken.path])
        #expect(bad.status == 1)
        #expect(bad.output.contains("desiredCount"))
        #expect(bad.output.contains("bogus"))
    }

    func run(_ exe: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let r = try ProcessRunner.run(exe, args)
        return (r.status, r.combined)
    }
}

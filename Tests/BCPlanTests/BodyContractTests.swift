import BCClient
import BCManifest
import BCModel
import BCTestSupport
import Foundation
import Testing
@testable import BCPlan

/// Every body the planner builds is a request description of the contract: decoded into its
/// type (`JobDescription`, `ClusterDescription`, `AppDescription`) and written back, it is the
/// same bytes, and no field of it is one the type does not know. Over the manifests that set
/// every field the lowering writes (Tests/Fixtures/plan-golden/coverage) and the examples.
@Suite struct BodyContractTests {
    static func desired() throws -> [DesiredResource] {
        let root = ProcessRunner.root
        let dirs = ["Tests/Fixtures/plan-golden/coverage", "examples/quickstart", "examples/fixed-cluster", "examples/docker-app",
                    "examples/render-farm", "examples/render-manager-quickstart"]
        var out: [DesiredResource] = []
        for dir in dirs {
            let loaded = ManifestLoader().load(paths: [root.appendingPathComponent(dir).path])
            #expect(loaded.isValid, "\(dir): \(loaded.diagnostics)")
            let (desired, errors) = PlanPipeline.lower(loaded.manifests)
            #expect(errors.isEmpty, "\(dir): \(errors)")
            out += desired
        }
        return out
    }

    /// The body apply sends, with secrets and references given stand-in values.
    static func body(_ d: DesiredResource) throws -> JSONValue {
        try BodyBuilder.body(d, workspace: "w", revision: 1, resolve: { f in
            switch f.value {
            case .value(let v): v
            case .secret: .string("secret")
            case .reference: .string("cls-referenced")
            }
        }, hash: { _, _ in "h" }, spec: "s").body
    }

    @Test func everyBodyIsItsDescriptionWhole() throws {
        let all = try Self.desired()
        #expect(Set(all.map(\.collection)) == Set(LiveCollection.allCases))
        for d in all {
            let body = try Self.body(d)
            switch d.collection {
            case .jobs:
                let job = try body.decoded(as: JobDescription.self)
                #expect(job.other.isEmpty, "\(d.address): \(job.other.keys)")
                for (name, task) in job.dag?.tasks ?? [:] { #expect(task.other.isEmpty, "\(d.address) task \(name): \(task.other.keys)") }
                #expect(job.app?.config?.other.isEmpty ?? true, "\(d.address): \(job.app?.config?.other.keys.sorted() ?? [])")
                #expect(JSONValue(encoding: job).canonicalString == body.canonicalString, "\(d.address)")
            case .clusters:
                let cluster = try body.decoded(as: ClusterDescription.self)
                #expect(JSONValue(encoding: cluster).canonicalString == body.canonicalString, "\(d.address)")
            case .apps:
                let app = try body.decoded(as: AppDescription.self)
                #expect(JSONValue(encoding: app).canonicalString == body.canonicalString, "\(d.address)")
            }
        }
    }
}

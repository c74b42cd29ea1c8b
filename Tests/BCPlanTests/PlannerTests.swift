import BCClient
import BCModel
import Testing
@testable import BCPlan

/// The diff alone, on hand-made live objects: no engine.
@Suite struct PlannerTests {
    let hasher = FieldHasher(accessKeySecret: "test-secret")

    func cluster(count: Int = 2, image: String = "img-ubuntu", groups: [String] = ["main"]) -> DesiredResource {
        var spec = ClusterSpec(imageId: image, groups: [:])
        for g in groups { spec.groups[g] = ClusterGroup(instanceType: "ecs.sn1.medium", desiredCount: count) }
        return try! Lowering.lower(Manifest(kind: .Cluster, metadata: Metadata(name: "c"), spec: spec))
    }

    /// A live object as bcops would have applied `d`, with `edit` applied to its body afterwards.
    func live(_ d: DesiredResource, id: String = "cls-1", edit: (inout [String: JSONValue]) -> Void = { _ in }) -> LiveState {
        var hashes: [String: String] = [:]
        var body: [String: JSONValue] = [:]
        for f in d.fields {
            guard case .value(let v) = f.value else { continue }
            hashes[f.path] = hasher.hash(v)
            if f.comparison == .equal { BodyBuilder.set(v, at: f.apiPath, in: &body) }
        }
        edit(&body)
        body["Labels"] = .object([OwnershipLabels.fields: .string(OwnershipLabels.encodeFields(hashes))])
        let r = LiveResource(address: d.address, collection: d.collection, id: id, body: .object(body),
                             labels: [OwnershipLabels.fields: OwnershipLabels.encodeFields(hashes)])
        return LiveState(objects: [d.address: [r]])
    }

    func plan(_ d: DesiredResource, _ l: LiveState, options: PlanOptions = .init()) -> Planner.Result {
        Planner(hasher: hasher, readSecret: { _ in nil }, options: options).plan(desired: [d], live: l)
    }

    @Test func anUnchangedObjectIsANoOp() {
        let d = cluster()
        let r = plan(d, live(d))
        #expect(r.changes.map(\.action) == [.noop])
        #expect(r.drift.isEmpty)
    }

    @Test func aManifestEditIsAChangeNotDrift() {
        let r = plan(cluster(count: 5), live(cluster(count: 2)))
        #expect(r.changes.first?.action == .update)
        #expect(r.changes.first?.changedFields.map(\.path) == ["groups.main.desiredCount"])
        #expect(r.drift.isEmpty)
    }

    @Test func aLiveEditIsDriftAndIsUndone() {
        let d = cluster(count: 2)
        let r = plan(d, live(d) { body in BodyBuilder.set(.integer(7), at: ["Groups", "main", "DesiredVMCount"], in: &body) })
        #expect(r.drift.first?.changes.map(\.path) == ["groups.main.desiredCount"])
        #expect(r.drift.first?.changes.first?.after == .known(.integer(7)))
        #expect(r.changes.first?.action == .update)
    }

    @Test func fieldsTheEngineFillsInAreNeverDrift() {
        let d = cluster()
        let r = plan(d, live(d) { body in
            BodyBuilder.set(.string("OnDemand"), at: ["Groups", "main", "ResourceType"], in: &body)
            body["Metrics"] = .object(["RunningCount": .integer(2)])
        })
        #expect(r.drift.isEmpty)
        #expect(r.changes.first?.action == .noop)
    }

    @Test func theImageOrTheGroupSetForceReplacement() {
        let image = plan(cluster(image: "img-centos"), live(cluster()))
        #expect(image.changes.first?.action == .replace)
        #expect(image.changes.first?.changedFields.first { $0.path == "imageId" }?.forcesReplacement == true)
        let groups = plan(cluster(groups: ["main", "gpu"]), live(cluster()))
        #expect(groups.changes.first?.action == .replace)
        #expect(groups.changes.first?.changedFields.contains { $0.path == "groups" && $0.forcesReplacement } == true)
    }

    @Test func massDeletesNeedConsent() throws {
        let deletes = (0..<3).map { ResourceChange(address: ResourceAddress(kind: .App, name: "a\($0)"), action: .delete, fields: []) }
        let p = Plan(workspace: "w", lineage: "l", serial: 1, manifestsHash: "", createdAt: "", changes: deletes, drift: [], desired: [])
        let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:9", accessKeyId: "a", accessKeySecret: "b"))
        #expect(throws: ApplyRefusal.self) { try Applier(client: client, hasher: hasher).checkDeletes(p, owned: 4) }
        try Applier(client: client, hasher: hasher).checkDeletes(p, owned: 10)
        try Applier(client: client, hasher: hasher, options: ApplyOptions(allowMassDelete: true)).checkDeletes(p, owned: 4)
        #expect(throws: ApplyRefusal.self) { try Applier(client: client, hasher: hasher, options: ApplyOptions(maxDeletes: 2)).checkDeletes(p, owned: 100) }
    }

    @Test func aMissingManifestDeletesWithItsReason() {
        let d = cluster()
        let r = Planner(hasher: hasher, readSecret: { _ in nil }).plan(desired: [], live: live(d))
        #expect(r.changes.first?.action == .delete)
        #expect(r.changes.first?.reason == "because Cluster/c is not in configuration")
        #expect(r.changes.first?.actionReason == "delete_because_no_resource_config")
    }

    @Test func replaceOnRequest() {
        let d = cluster()
        let r = plan(d, live(d), options: PlanOptions(replace: [d.address]))
        #expect(r.changes.first?.action == .replace)
        #expect(r.changes.first?.reason == "will be replaced, as requested")
    }

    @Test func aSecretUnreadableAtPlanTimeIsNotAChange() {
        var spec = ClusterSpec(imageId: "img-ubuntu", groups: ["main": ClusterGroup(desiredCount: 1)])
        spec.env = ["TOKEN": .secret(SecretSource(env: "NOT_SET_ANYWHERE"))]
        let d = try! Lowering.lower(Manifest(kind: .Cluster, metadata: Metadata(name: "c"), spec: spec))
        let r = plan(d, live(d) { body in body["EnvVars"] = .object(["TOKEN": .string("whatever")]) })
        #expect(r.changes.first?.action == .noop)
    }

    @Test func planSummarySentences() {
        var p = Plan(workspace: "w", lineage: "l", serial: 1, manifestsHash: "", createdAt: "", changes: [], drift: [], desired: [])
        #expect(p.summary == "No changes. Your infrastructure matches the configuration.")
        let a = ResourceAddress(kind: .App, name: "a")
        p.changes = [ResourceChange(address: a, action: .replace, fields: []), ResourceChange(address: a, action: .run, fields: []),
                     ResourceChange(address: a, action: .update, fields: [])]
        #expect(p.summary == "Plan: 1 to run, 1 to add, 1 to change, 1 to destroy.")
    }
}

extension ResourceChange {
    init(address: ResourceAddress, action: PlanAction, fields: [FieldChange]) {
        self.init(address: address, action: action, reason: nil, actionReason: nil, fields: fields, liveId: nil, runStatus: nil)
    }
}

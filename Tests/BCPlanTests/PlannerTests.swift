import BCClient
import Foundation
import BCManifest
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

extension PlannerTests {
    /// The no-op plan's fast paths (bench/plan.sh): each gives what the general path gives.
    @Suite struct NoOpPlanPaths {
        let hasher = FieldHasher(accessKeySecret: "test-secret")

        static let manifests = """
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: workers
            spec:
              imageId: img-ubuntu
              instanceType: ecs.sn1.medium
              groups:
                main:
                  desiredCount: 1
              env:
                STAGE: "tab\\there \\"quoted\\" caf\\u00e9 \\\\ back"
                TOKEN:
                  secretFrom:
                    env: NOT_SET_ANYWHERE
            ---
            apiVersion: bcops.io/v1
            kind: App
            metadata:
              name: hello
              labels:
                team: render
            spec:
              description: "line one\\nline two"
              image:
                docker:
                  image: busybox
              commandLine: echo hello ${name}
              inputs:
                name:
                  default: world
              config:
                instanceCount: 2
                instanceType: ecs.sn1.medium
            ---
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: greet
            spec:
              tasks:
                say:
                  cluster: workers
                  instanceCount: 2
                  command: echo hi
                  stdoutRedirectPath: oss://bucket/logs/
                  stderrRedirectPath: oss://bucket/logs/
            """

        /// `FieldHasher.specHash` as it was: the canonical bytes of every field into one buffer, then FNV-1a.
        static func bufferedSpecHash(_ fields: [DesiredField], secret: (SecretSource) -> String?, reference: (ResourceAddress) -> String?) -> String? {
            var bytes: [UInt8] = []
            for f in fields {
                bytes += f.path.utf8
                bytes.append(UInt8(ascii: "="))
                switch f.value {
                case .value(let v): v.appendCanonical(to: &bytes)
                case .secret(let source):
                    guard let h = secret(source) else { return nil }
                    bytes += h.utf8
                case .reference(let target):
                    guard let r = reference(target) else { return nil }
                    bytes += r.utf8
                }
                bytes.append(UInt8(ascii: ";"))
            }
            let h = FieldHasher.fnv(bytes)
            return FieldHasher.hex((0..<8).map { UInt8(truncatingIfNeeded: h >> (56 - 8 * $0)) })
        }

        @Test func theStreamedSpecHashIsTheBufferedOne() {
            let values: [JSONValue] = [
                .string(""), .string("plain"), .string("quote \" and \\ back"), .string("controls \n\r\t\u{01}\u{1f}\u{7f}"),
                .string("café ✓ 🎬"), .string("slash / kept"), .integer(0), .integer(-42), .integer(Int.max), .bool(true), .bool(false),
                .null, .number(1.5), .number(3), .array([.string("a\n"), .integer(1)]),
                .object(["b": .string("x"), "a": .object(["Default": .integer(2)]), "é": .null]),
            ]
            let fields = values.enumerated().map { i, v in DesiredField(path: "f\(i)", apiPath: ["F\(i)"], value: .value(v), rule: .inPlace) }
            let secret: (SecretSource) -> String? = { _ in "k:0123456789abcdef" }
            let reference: (ResourceAddress) -> String? = { "ref:\($0)" }
            for prefix in 0...fields.count {
                let some = Array(fields.prefix(prefix))
                #expect(FieldHasher.specHash(some, secret: secret, reference: reference) == Self.bufferedSpecHash(some, secret: secret, reference: reference))
            }
            let mixed = fields + [DesiredField(path: "s", apiPath: ["S"], value: .secret(SecretSource(env: "X")), rule: .inPlace),
                                  DesiredField(path: "r", apiPath: ["R"], value: .reference(ResourceAddress(kind: .Cluster, name: "c")), rule: .inPlace)]
            #expect(FieldHasher.specHash(mixed, secret: secret, reference: reference) == Self.bufferedSpecHash(mixed, secret: secret, reference: reference))
            #expect(FieldHasher.specHash(mixed, secret: { _ in nil }, reference: reference) == nil)
            // And a fixed value (live objects' labels carry these): FNV-1a 64 of `a="x";`.
            #expect(FieldHasher.specHash([DesiredField(path: "a", apiPath: ["A"], value: .value(.string("x")), rule: .inPlace)],
                                         secret: secret, reference: reference) == "c8ba5a426ccd2516")
        }

        @Test func loweringWhileLoadingGivesWhatLoweringAfterwardsGives() {
            let plain = ManifestLoader().load(bytes: Array(Self.manifests.utf8), name: "m.yaml")
            let preparing = ManifestLoader(prepare: PlanPipeline.prepare).load(bytes: Array(Self.manifests.utf8), name: "m.yaml")
            #expect(plain.isValid && preparing.isValid, "\(plain.diagnostics) \(preparing.diagnostics)")
            #expect(plain.manifests.allSatisfy { $0.prepared == nil })
            #expect(preparing.manifests.count == 3 && preparing.manifests.allSatisfy { $0.prepared is PlanPipeline.Lowered })
            let (a, aErrors) = PlanPipeline.lower(plain.manifests)
            let (b, bErrors) = PlanPipeline.lower(preparing.manifests)
            #expect(aErrors.isEmpty && bErrors.isEmpty)
            #expect(a.map(\.address) == b.map(\.address))
            for (x, y) in zip(a, b) {
                #expect(x.fields == y.fields && x.fixed == y.fixed && x.dependencies == y.dependencies && x.userLabels == y.userLabels)
                #expect(x.plainSpecHash == y.plainSpecHash && x.rerunToken == y.rerunToken && x.collection == y.collection)
            }
            // Lowered again (what was lowered while loading is handed over once): the same.
            let (c, cErrors) = PlanPipeline.lower(preparing.manifests)
            #expect(cErrors.isEmpty && c.map(\.address) == b.map(\.address) && zip(b, c).allSatisfy { $0.fields == $1.fields })
            // The cluster has a secret: no plain spec hash.
            #expect(b.first { $0.address.kind == .Cluster }?.plainSpecHash == nil)
            #expect(b.first { $0.address.kind == .App }?.plainSpecHash != nil)
        }

        /// Every kind lowers now (SGEClusters last): an SGECluster is prepared while loading,
        /// with its master group and `SgeMasterGroup` in its fixed parts.
        @Test func sgeClustersAreLoweredWhenPrepared() throws {
            let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/sge-cluster/sge-cluster.yaml")
            let loaded = ManifestLoader(prepare: PlanPipeline.prepare).load(paths: [example.standardized.path])
            #expect(loaded.isValid, "\(loaded.diagnostics)")
            #expect(loaded.manifests.count == 1 && loaded.manifests.first?.prepared != nil)
            let (desired, errors) = PlanPipeline.lower(loaded.manifests)
            #expect(errors.isEmpty, "\(errors)")
            #expect(desired.first?.fixed["SgeMasterGroup"] == .string("sgeMaster"))
            let groups = desired.first?.fields.first { $0.path == "groups" }
            #expect(groups?.rule == .replace && groups?.value == .value(.array(["default", "group1", "group2", "group3", "sgeMaster"].map(JSONValue.string))))
        }

        static let inventory = #"""
            {"Items":[
              {"Collection":"clusters","Id":"cls-1","Revision":3,"State":"Active","Message":"","Labels":{"bcops.io/workspace":"default","bcops.io/address":"Cluster/workers","bcops.io/spec":"00112233aabbccdd","bcops.io/revision":"3"}},
              {"Collection":"apps","Id":"hello","Revision":7,"State":"","Message":"","Labels":{"bcops.io/workspace":"default","bcops.io/address":"App/hello","bcops.io/spec":"ffeeddccbbaa9988","bcops.io/revision":"6","team":"r\u00e9nder \ud83c\udfac"}},
              {"Collection":"jobs","Id":"job-1","Revision":1,"State":"Failed","Message":"exit 1: \"boom\"\nline\ttwo \/ \\","Labels":{"bcops.io/workspace":"default","bcops.io/address":"Job/greet"}},
              {"Collection":"jobs","Id":"job-2","Revision":1,"State":"Running","Message":"","Extra":{"a":[1,2.5e3,true,null,"x"]},"Labels":{"bcops.io/workspace":"default","bcops.io/address":"Job/greet"}},
              {"Collection":"apps","Id":"other","Revision":1,"State":"","Message":"","Labels":{"bcops.io/workspace":"elsewhere","bcops.io/address":"App/other"}},
              {"Collection":"queues","Id":"q-1","Revision":1,"State":"","Message":"","Labels":{"bcops.io/workspace":"default","bcops.io/address":"App/q"}},
              {"Collection":"apps","Id":"bad","Revision":1,"State":"","Message":"","Labels":{"bcops.io/workspace":"default","bcops.io/address":"not an address"}}
            ],"NextMarker":""}
            """#

        func same(_ a: LiveState, _ b: LiveState) {
            #expect(Set(a.objects.keys) == Set(b.objects.keys))
            for (address, xs) in a.objects {
                let ys = b.objects[address] ?? []
                #expect(xs.count == ys.count, "\(address)")
                for (x, y) in zip(xs, ys) {
                    #expect(x.address == y.address && x.collection == y.collection && x.id == y.id && x.labels == y.labels && x.brief == y.brief)
                    #expect(x.revision == y.revision && x.runState == y.runState && x.specHash == y.specHash && x.appliedRevision == y.appliedRevision)
                    #expect(x.body["State"] == y.body["State"] && x.body["Message"] == y.body["Message"], "\(address)")
                }
            }
        }

        @Test func theInventoryReaderReadsWhatTheGeneralReadingReads() throws {
            let body = Array(Self.inventory.utf8)
            let directReading = try #require(InventoryReader.read(body, workspace: "default"))
            let generalReading = try #require(try LiveState.inventoryTree(body, workspace: "default"))
            let (direct, general) = (directReading.state, generalReading.state)
            same(direct, general)
            #expect(directReading.changed == generalReading.changed && directReading.changed.count == 6)
            #expect(directReading.cursor == nil && generalReading.cursor == nil && directReading.complete && generalReading.complete)
            #expect(direct.count == 4)
            let greet = ResourceAddress(kind: .Job, name: "greet"), hello = ResourceAddress(kind: .App, name: "hello")
            #expect(direct.objects[greet]?.map(\.id) == ["job-1", "job-2"])
            #expect(direct.current(greet)?.runState == .running)
            #expect(direct.objects[greet]?.first?.body["Message"]?.stringValue == "exit 1: \"boom\"\nline\ttwo / \\")
            #expect(direct.current(hello)?.labels["team"] == "rénder 🎬")
            #expect(direct.current(hello)?.appliedRevision == 6 && direct.current(hello)?.revision == 7)
        }

        @Test func whatChangedSinceACursorIsReadByBothReadings() throws {
            let text = #"""
                {"Items":[{"Collection":"apps","Id":"a","Revision":2,"Labels":{"bcops.io/workspace":"w","bcops.io/address":"App/a"}},
                          {"Collection":"apps","Id":"b","Revision":1,"Labels":{"bcops.io/workspace":"w"}}],
                 "Removed":[{"Collection":"jobs","Id":"job-\u0031"},{"Collection":"queues","Id":"q"},{"Collection":"clusters","Id":"cls-2","Extra":[1]}],
                 "Cursor":"e.42","Complete":false}
                """#
            let direct = try #require(InventoryReader.read(Array(text.utf8), workspace: "w"))
            let general = try #require(try LiveState.inventoryTree(Array(text.utf8), workspace: "w"))
            for reading in [direct, general] {
                #expect(reading.state.count == 1 && reading.changed.map(\.id) == ["a", "b"])
                #expect(reading.removed == [LiveObjectKey(collection: .jobs, id: "job-1"), LiveObjectKey(collection: .clusters, id: "cls-2")])
                #expect(reading.cursor == "e.42" && !reading.complete)
            }
            #expect(InventoryReader.read(Array(#"{"Items":[],"Complete":1}"#.utf8), workspace: "w") == nil)
            #expect(InventoryReader.read(Array(#"{"Items":[],"Cursor":"a","Cursor":"b"}"#.utf8), workspace: "w") == nil)
        }

        @Test func anInventoryTheReaderDoesNotExpectIsReadTheGeneralWay() throws {
            // A revision written as a fraction, a label that is not a string: read the general way.
            let odd = [
                #"{"Items":[{"Collection":"apps","Id":"a","Revision":2.0,"Labels":{"bcops.io/workspace":"w","bcops.io/address":"App/a"}}]}"#,
                #"{"Items":[{"Collection":"apps","Id":"a","Revision":2,"Labels":{"bcops.io/workspace":"w","bcops.io/address":"App/a","n":1}}]}"#,
            ]
            for text in odd {
                #expect(InventoryReader.read(Array(text.utf8), workspace: "w") == nil)
                let state = try #require(try LiveState.inventory(Array(text.utf8), workspace: "w")?.state)
                #expect(state.current(ResourceAddress(kind: .App, name: "a"))?.revision == 2)
            }
            let trailing = #"{"Items":[]} trailing"#
            #expect(InventoryReader.read(Array(trailing.utf8), workspace: "w") == nil)
            #expect(throws: (any Error).self) { try LiveState.inventory(Array(trailing.utf8), workspace: "w") }
            #expect(try LiveState.inventory(Array(#"{"Other":[]}"#.utf8), workspace: "w") == nil)
            #expect(try LiveState.inventory(Array(#"{"Items":[]}"#.utf8), workspace: "w")?.state.count == 0)
        }

        @Test func derivedValuesFollowTheBodyAndLabels() {
            var o = LiveResource(address: ResourceAddress(kind: .App, name: "a"), collection: .apps, id: "a", body: .object(["Revision": .integer(2)]),
                                 labels: [OwnershipLabels.spec: "h1", OwnershipLabels.revision: "2"])
            #expect(o.revision == 2 && o.specHash == "h1" && o.appliedRevision == 2)
            o.body = .object(["State": .string("x")])
            o.labels[OwnershipLabels.spec] = "h2"
            o.labels[OwnershipLabels.revision] = nil
            #expect(o.revision == nil && o.specHash == "h2" && o.appliedRevision == nil)
        }

        @Test func addressesParseAsBefore() {
            #expect(ResourceAddress("App/a") == ResourceAddress(kind: .App, name: "a"))
            #expect(ResourceAddress("App//a") == ResourceAddress(kind: .App, name: "/a"))
            #expect(ResourceAddress("App/a/b") == ResourceAddress(kind: .App, name: "a/b"))
            // A leading slash is skipped, as `split` skips the empty part before it.
            #expect(ResourceAddress("/App/a") == ResourceAddress(kind: .App, name: "a"))
            #expect(ResourceAddress("App/") == nil && ResourceAddress("App") == nil && ResourceAddress("Nope/a") == nil && ResourceAddress("") == nil)
        }

        /// Objects as bcops applied them, briefly, as `LiveState.inventory` gives them.
        func inventory(of desired: [DesiredResource], specHash: (DesiredResource) -> String?) -> LiveState {
            var state = LiveState()
            for (i, d) in desired.enumerated() {
                var labels = [OwnershipLabels.workspace: "default", OwnershipLabels.address: d.address.description, OwnershipLabels.revision: "1"]
                labels[OwnershipLabels.spec] = specHash(d)
                state.objects[d.address] = [LiveResource(address: d.address, collection: d.collection, id: "id-\(i)",
                                                         body: .object(["Revision": .integer(1), "State": .string("Finished")]), labels: labels, brief: true)]
            }
            return state
        }

        var estate: [DesiredResource] {
            let loaded = ManifestLoader(prepare: PlanPipeline.prepare).load(bytes: Array(Self.manifests.utf8), name: "m.yaml")
            return PlanPipeline.lower(loaded.manifests).desired
        }

        @Test func onlyObjectsThatMayDifferAreReadInFull() async throws {
            // Nothing answers there: reading any object in full fails.
            let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:9", accessKeyId: "a", accessKeySecret: "b"))
            // Without the cluster, whose spec depends on a secret not readable here (so it is always read in full).
            let desired = estate.filter { $0.plainSpecHash != nil }
            #expect(desired.count == 2)
            let planner = Planner(hasher: hasher, readSecret: { _ in nil })
            let applied = inventory(of: desired) { planner.specHash($0, live: LiveState()) }
            func refresh(_ inventory: LiveState, _ options: PlanOptions = PlanOptions()) async throws -> LiveState {
                try await PlanPipeline.refresh(desired: desired, inventory: inventory, client: client, workspace: "default",
                                               options: options, hasher: hasher, refresh: true, readSecret: { _ in nil })
            }
            let live = try await refresh(applied)
            #expect(live.count == 2 && live.objects.values.allSatisfy { $0.allSatisfy(\.brief) })
            // A spec that differs, a revision changed since applied, a replacement: read in full.
            await #expect(throws: (any Error).self) { _ = try await refresh(inventory(of: desired) { _ in "0000000000000000" }) }
            var edited = applied
            #expect(desired[0].address.kind == .App && desired[1].address.kind == .Job)
            edited.objects[desired[0].address]![0].body = .object(["Revision": .integer(2)])
            await #expect(throws: (any Error).self) { _ = try await refresh(edited) }
            // A run is not revised in place: only its spec counts.
            edited = applied
            edited.objects[desired[1].address]![0].body = .object(["Revision": .integer(2)])
            #expect(try await refresh(edited).objects.values.allSatisfy { $0.allSatisfy(\.brief) })
            await #expect(throws: (any Error).self) { _ = try await refresh(applied, PlanOptions(replace: [desired[1].address])) }
        }

        @Test func aNoOpPlanIsInAddressOrderAndDeletesWhatHasNoManifest() {
            let desired = estate
            let planner = Planner(hasher: hasher, readSecret: { _ in nil })
            var live = inventory(of: desired) { planner.specHash($0, live: LiveState()) ?? "unknown" }
            var brief = planner
            brief.detailed = false
            var result = brief.plan(desired: desired, live: live)
            #expect(result.changes.map(\.address) == desired.map(\.address).sorted())
            #expect(result.changes.allSatisfy { $0.action == .noop })
            // Unchanged objects carry no fields in a text plan (runs list theirs, as before).
            #expect(result.changes.filter { !$0.address.kind.isRun }.allSatisfy { $0.fields.isEmpty })
            // Objects without a manifest: deleted; runs: kept, with a warning.
            let gone = ResourceAddress(kind: .App, name: "gone"), ran = ResourceAddress(kind: .Job, name: "ran")
            live.objects[gone] = [LiveResource(address: gone, collection: .apps, id: "gone", body: .object([:]), labels: [:], brief: true)]
            live.objects[ran] = [LiveResource(address: ran, collection: .jobs, id: "job-9", body: .object([:]), labels: [:], brief: true)]
            result = brief.plan(desired: desired, live: live)
            #expect(result.changes.map(\.address) == (desired.map(\.address) + [gone]).sorted())
            #expect(result.changes.first { $0.address == gone }?.action == .delete)
            #expect(result.warnings.contains { $0.hasPrefix("1 run is no longer in configuration") })
            // The detailed plan of the same: the same actions, with every field.
            let detailed = planner.plan(desired: desired, live: live)
            #expect(detailed.changes.map(\.address) == result.changes.map(\.address) && detailed.changes.map(\.action) == result.changes.map(\.action))
            #expect(detailed.changes.first { $0.address == ResourceAddress(kind: .App, name: "hello") }?.fields.isEmpty == false)
        }
    }
}

extension ResourceChange {
    init(address: ResourceAddress, action: PlanAction, fields: [FieldChange]) {
        self.init(address: address, action: action, reason: nil, actionReason: nil, fields: fields, liveId: nil, runStatus: nil)
    }
}

import BCAPI
import Foundation
import Hummingbird

/// `/clusters`. On this engine a group's nodes are slots on the host: capacity is
/// Σ DesiredVMCount × vCPUs of the group's instance type, and nodes are ready at once.
struct ClustersAPI {
    let engine: Engine
    var store: EngineStore { engine.store }

    /// The fields a body may have, from the contract's types (`InvalidHttpBody` for any other).
    static let fields = ClusterDescription.fields
    static let groupFields = wireKeys(ClusterGroupKey.self)
    static let modifyFields = ClusterModification.fields

    func register(on router: Router<BasicRequestContext>) {
        router.on(Routes.createCluster) { request, _ in
            let body = try await APIServer.body(request)
            let description = try validate(body.object)
            let token = APIServer.query(request)[QueryName.idempotentToken].flatMap { $0.isEmpty ? nil : $0 }
            let id = try store.createCluster(name: try JSONBody.string(body.object, ClusterKey.name.rawValue)!, description: description, token: token)
            engine.wakeup.raise()
            return Answer(Created(id: id), status: .created)
        }
        router.on(Routes.listClusters) { request, _ in
            let q = APIServer.query(request)
            let (marker, limit) = try APIServer.page(q)
            let (rows, next) = try store.clusters(after: marker, limit: limit, labels: try APIServer.labels(q))
            let counts = try store.vmCounts(of: rows.map(\.id))
            return Answer(Page(items: try rows.map { try ClusterStatus($0, vms: counts[$0.id] ?? [:]) }, nextMarker: next))
        }
        router.on(Routes.getCluster) { _, context in
            let row = try existing(try context.parameters.require("id"))
            return Answer(try ClusterStatus(row, vms: try store.vmCounts(of: [row.id])[row.id] ?? [:],
                                            operationLogs: try store.operationLogs(of: row.id)))
        }
        router.on(Routes.deleteCluster) { _, context in
            try store.deleteCluster(try context.parameters.require("id"))
            // The scheduler forgets the cluster's pool and stops the jobs that failed with it.
            engine.wakeup.raise()
            return Answer(Empty())
        }
        router.on(Routes.modifyCluster) { request, context in
            let row = try existing(try context.parameters.require("id"))
            let body = try await APIServer.body(request)
            // Relabelling (bcctl import, forget) is not a change of the cluster itself.
            try store.updateCluster(row.id, description: try modified(row.description, with: body.object),
                                    newRevision: Set(body.object.keys) != [ClusterChangeKey.labels.rawValue])
            engine.wakeup.raise()
            return Answer(Empty())
        }
        router.on(Routes.listClusterVMs) { request, context in
            let (row, group) = try existingGroup(context)
            let (marker, limit) = try APIServer.page(APIServer.query(request))
            let (items, next) = try store.clusterVMs(cluster: row.id, group: group, after: marker, limit: limit)
            return Answer(Page(items: items.map(ClusterVM.init), nextMarker: next))
        }
        router.on(Routes.getClusterVM) { _, context in
            let (row, group) = try existingGroup(context)
            let instance = try context.parameters.require("instance")
            guard let vm = try store.clusterVM(cluster: row.id, group: group, id: instance) else {
                throw StoreError.notFound(.clusterVM(instance, group: group, cluster: row.id))
            }
            return Answer(ClusterVM(vm))
        }
        router.on(Routes.recreateClusterVM) { _, context in
            let (row, group) = try existingGroup(context)
            let id = try store.recreateClusterVM(cluster: row.id, group: group, id: try context.parameters.require("instance"))
            return Answer(Created(id: id))
        }
        router.on(Routes.deleteClusterVM) { _, context in
            let (row, group) = try existingGroup(context)
            try store.deleteClusterVM(cluster: row.id, group: group, id: try context.parameters.require("instance"))
            engine.wakeup.raise()
            return Answer(Empty())
        }
    }

    /// The cluster and group a `/clusters/{id}/groups/{group}/…` path names; 404 if either is unknown.
    func existingGroup(_ context: BasicRequestContext) throws -> (EngineStore.ClusterRow, String) {
        let row = try existing(try context.parameters.require("id"))
        let group = try context.parameters.require("group")
        let o = try JSONBody.parse(Data(row.description.utf8)).object
        guard (o[ClusterKey.groups] as? [String: Any])?[group] != nil else { throw StoreError.notFound(.group(group, cluster: row.id)) }
        return (row, group)
    }

    func existing(_ id: String) throws -> EngineStore.ClusterRow {
        guard let row = try store.cluster(id) else { throw StoreError.notFound(.cluster(id)) }
        return row
    }

    /// Checks a ClusterDescription and returns it as stored.
    func validate(_ o: [String: Any]) throws -> String {
        try JSONBody.checkKnown(o, ClustersAPI.fields, where: "")
        try JSONBody.checkLabels(o)
        let name = try JSONBody.string(o, ClusterKey.name.rawValue, required: true)!
        guard !name.isEmpty else { throw APIError.invalid(ClusterKey.name.rawValue, "must not be empty") }
        try ImagesAPI.checkKnown(try JSONBody.string(o, ClusterKey.imageId.rawValue, required: true)!, store: store)
        if let runtime = try JSONBody.string(o, ClusterKey.runtime.rawValue), !["host", "container"].contains(runtime) {
            throw APIError.invalid(ClusterKey.runtime.rawValue, "must be host or container")
        }
        let groups = try JSONBody.dict(o, ClusterKey.groups.rawValue, required: true)!
        guard !groups.isEmpty else { throw APIError.invalid(ClusterKey.groups.rawValue, "a cluster needs at least one group") }
        for (g, value) in groups {
            guard let group = value as? [String: Any] else { throw APIError.invalid(ClusterKey.groups.rawValue, "group \(g) must be an object") }
            try checkGroup(group, name: g, clusterInstanceType: try JSONBody.string(o, ClusterKey.instanceType.rawValue))
        }
        return String(decoding: JSONBody.serialize(o), as: UTF8.self)
    }

    func checkGroup(_ group: [String: Any], name: String, clusterInstanceType: String?) throws {
        try JSONBody.checkKnown(group, ClustersAPI.groupFields, where: "Groups.\(name).")
        if let n = try JSONBody.int(group, ClusterGroupKey.desiredVMCount.rawValue), n < 0 || n > EngineStore.maxVMsPerGroup {
            throw APIError.invalid(ClusterGroupKey.desiredVMCount.rawValue, n < 0 ? "must be ≥ 0, got \(n)" : "at most \(EngineStore.maxVMsPerGroup) per group on this engine, got \(n)")
        }
        if let image = try JSONBody.string(group, ClusterGroupKey.imageId.rawValue), !image.isEmpty {
            try ImagesAPI.checkKnown(image, field: "Groups.\(name).ImageId", store: store)
        }
        if let t = try JSONBody.string(group, ClusterGroupKey.instanceType.rawValue) ?? clusterInstanceType, !t.isEmpty, engine.catalog[t] == nil {
            throw APIError.invalid(ClusterGroupKey.instanceType.rawValue, "unknown instance type \(t)")
        }
        if let r = try JSONBody.string(group, ClusterGroupKey.resourceType.rawValue), !["OnDemand", "Spot"].contains(r) {
            throw APIError.invalid(ClusterGroupKey.resourceType.rawValue, "must be OnDemand or Spot")
        }
    }

    /// Applies a ModifyClusterDescription: group counts, instance types and spot settings in
    /// place; image, environment, user data and mounts replaced.
    func modified(_ stored: String, with change: [String: Any]) throws -> String {
        try JSONBody.checkKnown(change, ClustersAPI.modifyFields, where: "")
        try JSONBody.checkLabels(change)  // relabelling is bounded like creating
        if change[ClusterChangeKey.imageId] != nil { try ImagesAPI.checkKnown(try JSONBody.string(change, ClusterChangeKey.imageId.rawValue) ?? "", store: store) }
        var o = try JSONBody.parse(Data(stored.utf8)).object
        var groups = (o[ClusterKey.groups] as? [String: Any]) ?? [:]
        for (g, value) in try JSONBody.dict(change, ClusterChangeKey.groups.rawValue) ?? [:] {
            guard var current = groups[g] as? [String: Any] else { throw APIError.notFound("group \(g)") }
            guard let update = value as? [String: Any] else { throw APIError.invalid(ClusterKey.groups.rawValue, "group \(g) must be an object") }
            try JSONBody.checkKnown(update, ClusterModification.Group.fields, where: "Groups.\(g).")
            try checkGroup(update, name: g, clusterInstanceType: nil)
            for (k, v) in update { current[k] = v }
            groups[g] = current
        }
        o[ClusterKey.groups] = groups
        for key in [ClusterChangeKey.imageId, .envVars, .userData, .inputMapping, .labels] where change[key] != nil { o[key] = change[key] }
        if let configs = try JSONBody.dict(change, ClusterChangeKey.configs.rawValue) {
            var current = (o[ClusterKey.configs] as? [String: Any]) ?? [:]
            for (k, v) in configs { current[k] = v }
            o[ClusterKey.configs] = current
        }
        return String(decoding: JSONBody.serialize(o), as: UTF8.self)
    }
}

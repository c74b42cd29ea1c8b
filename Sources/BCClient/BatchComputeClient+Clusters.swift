import BCAPI
import BCJSON

/// Clusters and their VMs, as the contract types them.
extension BatchComputeClient {
    public func cluster(_ id: String) async throws -> ClusterStatus {
        try await call(Routes.getCluster, id)
    }

    /// One page of clusters, only those carrying `labels` when given.
    public func clusters(_ page: PageQuery = PageQuery(), labels: [String: String] = [:]) async throws -> Page<ClusterStatus> {
        try await self.page(Routes.listClusters, [], page, query: Self.selector(labels))
    }

    public func allClusters(labels: [String: String] = [:], pageSize: Int = 1000) async throws -> [ClusterStatus] {
        try await all(Routes.listClusters, query: Self.selector(labels), pageSize: pageSize)
    }

    /// Creates a cluster from its description (JSON: the planner's lowered body).
    public func createCluster(_ description: JSONValue, idempotentToken: String? = nil) async throws -> Created {
        try await call(Routes.createCluster, query: Self.token(idempotentToken), body: description)
    }

    /// `ModifyCluster`: group counts, instance types, spot settings, labels.
    public func modifyCluster(_ id: String, _ modification: JSONValue) async throws {
        try await perform(Routes.modifyCluster, id, body: modification)
    }

    public func deleteCluster(_ id: String) async throws {
        try await perform(Routes.deleteCluster, id)
    }

    /// Every VM of one group of the cluster.
    public func clusterVMs(of cluster: String, group: String) async throws -> [ClusterVM] {
        try await all(Routes.listClusterVMs, [cluster, group], pageSize: 1000)
    }

    static func selector(_ labels: [String: String]) -> [(String, String)] {
        labels.isEmpty ? [] : [(QueryName.label, QueryName.labelSelector(labels))]
    }
}

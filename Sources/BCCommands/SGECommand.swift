import ArgumentParser
import BCClient
import BCModel
import BCPlan
import Foundation

/// `bcctl sge …`: SGE clusters as `bcc` and the console show them.
public struct SGECommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sge", abstract: "Show SGE clusters (what bcc status and the console show).",
        subcommands: [SGEStatus.self], defaultSubcommand: SGEStatus.self)
    public init() {}

    /// `bcctl sge status NAME`: the groups with desired and actual counts, every instance and
    /// the operation log. A thin reading of `GET /clusters/{id}` and its groups' instances.
    public struct SGEStatus: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "status", abstract: "Groups (desired and actual nodes), instances (id, host name, address, state) and the operation log of an SGE cluster.")
        @Argument(help: "The SGECluster's name, or a cluster id (cls-…).") public var name: String
        @Flag(name: .tf("json"), help: "Print JSON.") public var json = false
        @OptionGroup public var estate: EstateOptions
        public init() {}

        public func run() async throws {
            let err = Terminal(noColorFlag: false, stream: 2)
            let client: BatchComputeClient
            do { client = try estate.client() } catch { throw fail("\(error)", err) }
            do {
                let cluster = try await Self.find(name, client: client)
                var vms: [(group: String, vm: ClusterVM)] = []
                for g in cluster.groups.keys.sorted() {
                    for vm in try await client.clusterVMs(of: cluster.id, group: g) { vms.append((g, vm)) }
                }
                if json { print(Self.json(cluster, vms).canonicalString) } else { print(Self.text(cluster, vms), terminator: "") }
            } catch let e as ExitCode { throw e } catch { throw fail("\(error)", err) }
        }

        /// An id as it is; a name: the cluster an SGECluster manifest of that name owns (its
        /// `bcops.io/address` label), else the one SGE cluster of that API name.
        static func find(_ name: String, client: BatchComputeClient) async throws -> ClusterStatus {
            if name.hasPrefix("cls-") { return try await client.cluster(name) }
            let owned = try await client.allClusters(labels: [OwnershipLabels.address: "SGECluster/\(name)"])
            if owned.count == 1 { return try await client.cluster(owned[0].id) }
            if owned.count > 1 {
                throw ValidationError("\(owned.count) clusters are SGECluster/\(name) (in workspaces \(owned.compactMap { $0.labels[OwnershipLabels.workspace] }.sorted().joined(separator: ", "))); give the cluster id")
            }
            let named = try await client.allClusters().filter { $0.name == name && $0.sgeMasterGroup != nil }
            guard named.count == 1 else {
                throw ValidationError(named.isEmpty ? "no SGE cluster is named \(name)" : "\(named.count) SGE clusters are named \(name); give the cluster id")
            }
            return try await client.cluster(named[0].id)
        }

        static func running(_ vms: [(group: String, vm: ClusterVM)], _ group: String) -> Int {
            vms.filter { $0.group == group && $0.vm.state == .running }.count
        }

        static func text(_ c: ClusterStatus, _ vms: [(group: String, vm: ClusterVM)]) -> String {
            var out = "SGE cluster \(c.name) (\(c.id)): \(c.state.rawValue), image \(c.imageId)\n\n"
            var rows = [["GROUP", "ROLE", "INSTANCE TYPE", "DESIRED", "ACTUAL"]]
            for (g, group) in c.groups.sorted(by: { $0.key < $1.key }) {
                rows.append([g, g == c.sgeMasterGroup ? "master" : "worker", group.instanceType, String(group.desiredVMCount), String(running(vms, g))])
            }
            out += table(rows) + "\n"
            var instances = [["INSTANCE", "GROUP", "HOSTNAME", "ADDRESS", "STATE"]]
            for (g, vm) in vms { instances.append([vm.id, g, vm.hostName, vm.ipAddress, vm.state.rawValue]) }
            out += (vms.isEmpty ? "No instances.\n" : table(instances)) + "\n"
            out += "Operation log:\n" + (c.operationLogs.isEmpty ? "  (empty)\n" : c.operationLogs.map { "  \($0)\n" }.joined())
            return out
        }

        static func table(_ rows: [[String]]) -> String {
            let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
            return rows.map { r in
                r.indices.map { i in i == r.count - 1 ? r[i] : r[i].padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0) }.joined()
            }.joined(separator: "\n") + "\n"
        }

        static func json(_ c: ClusterStatus, _ vms: [(group: String, vm: ClusterVM)]) -> JSONValue {
            .object([
                "id": .string(c.id), "name": .string(c.name), "state": .string(c.state.rawValue), "imageId": .string(c.imageId),
                "masterGroup": c.sgeMasterGroup.map(JSONValue.string) ?? .null,
                "groups": .object(c.groups.reduce(into: [String: JSONValue]()) { o, entry in
                    let (g, group) = entry
                    o[g] = .object(["role": .string(g == c.sgeMasterGroup ? "master" : "worker"), "instanceType": .string(group.instanceType),
                                    "desired": .integer(group.desiredVMCount), "actual": .integer(running(vms, g))])
                }),
                "instances": .array(vms.map { g, vm in
                    .object(["id": .string(vm.id), "group": .string(g), "hostName": .string(vm.hostName), "ipAddress": .string(vm.ipAddress),
                             "state": .string(vm.state.rawValue)])
                }),
                "operationLog": .array(c.operationLogs.map(JSONValue.string)),
            ])
        }
    }
}

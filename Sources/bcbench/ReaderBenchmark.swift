import BCAPI
@_spi(Benchmarks) import BCPlan
import Foundation

/// `bcbench readers [ROUNDS]`: the hand-written JSON readers and writer that remain on the
/// client's hot paths, against Foundation's `JSONDecoder`/`JSONEncoder` on the same bytes:
///   - the inventory of 10,000 objects (`GET /bcops/inventory`, read by every plan), by the
///     planner's `InventoryReader` and by `JSONDecoder` into `InventoryAnswer`;
///   - a page of 1,000 jobs as live objects, by BCJSON's parser and by `JSONDecoder` into the
///     same `JSONValue` tree;
///   - the canonical writer (sorted keys, what plans hash) against `JSONEncoder` with sorted keys.
/// Best of ROUNDS, CPU time of this thread.
enum ReaderBenchmark {
    static func run(rounds: Int) throws {
        let inventory = inventoryBody(10_000)
        let jobs = try JSONEncoder().encode(Page(items: (0..<1000).map(EncodeBenchmark.job), nextMarker: ""))
        let jobBytes = [UInt8](jobs)
        let tree = try JSONValue.parse(jobBytes)
        let sorted = JSONEncoder()
        sorted.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Same answers first: each pair must read or write the same thing.
        precondition(LiveState.benchmarkFastInventory(inventory, workspace: "default") == 10_000)
        let decoded = try JSONDecoder().decode(InventoryAnswer.self, from: Data(inventory)).items.count
        let viaFoundation = try JSONDecoder().decode(JSONValue.self, from: jobs)
        let rewritten = try JSONValue.parse([UInt8](sorted.encode(tree)))
        precondition(decoded == 10_000 && viaFoundation == tree && rewritten == tree, "the readers disagree")
        print("inventory \(inventory.count / 1024) KiB, page of 1,000 jobs \(jobBytes.count / 1024) KiB")

        let rows: [(String, () throws -> Int)] = [
            ("inventory  InventoryReader", { LiveState.benchmarkFastInventory(inventory, workspace: "default") ?? 0 }),
            ("inventory  JSONDecoder → InventoryAnswer", { try JSONDecoder().decode(InventoryAnswer.self, from: Data(inventory)).items.count }),
            ("1,000 jobs BCJSON parser → JSONValue", { try JSONValue.parse(jobBytes).objectValue?.count ?? 0 }),
            ("1,000 jobs JSONDecoder → JSONValue", { try JSONDecoder().decode(JSONValue.self, from: jobs).objectValue?.count ?? 0 }),
            ("1,000 jobs canonical writer", { tree.canonicalBytes.count }),
            ("1,000 jobs JSONEncoder (sorted keys)", { try sorted.encode(tree).count }),
        ]
        var best: [String: Double] = [:]
        for _ in 0..<rounds {
            for (name, work) in rows {
                let t = EncodeBenchmark.cpuTime()
                let read = try work()
                precondition(read > 0)
                best[name] = min(best[name] ?? .infinity, EncodeBenchmark.cpuTime() - t)
            }
        }
        for (name, _) in rows { print(name.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%8.1f ms", best[name]! * 1e3)) }
        for (label, hand, foundation) in [("inventory", "inventory  InventoryReader", "inventory  JSONDecoder → InventoryAnswer"),
                                          ("live objects", "1,000 jobs BCJSON parser → JSONValue", "1,000 jobs JSONDecoder → JSONValue"),
                                          ("canonical bytes", "1,000 jobs canonical writer", "1,000 jobs JSONEncoder (sorted keys)")] {
            print(String(format: "%@: Foundation / hand-written = %.2f", label, best[foundation]! / best[hand]!))
        }
    }

    /// The inventory as the engine writes it: every object with bcops' ownership labels.
    static func inventoryBody(_ n: Int) -> [UInt8] {
        var items: [InventoryItem] = []
        for i in 0..<n {
            let app = i % 2 == 0
            let name = app ? "app-\(i)" : "pool-\(i)"
            items.append(InventoryItem(collection: app ? .apps : .clusters, id: app ? name : "cls-\(String(i, radix: 16))", revision: 1,
                                       state: app ? "" : ClusterState.active.rawValue, message: "",
                                       labels: [OwnershipLabels.workspace: "default", OwnershipLabels.address: (app ? "App/" : "Cluster/") + name,
                                                OwnershipLabels.spec: String(repeating: "a", count: 64), OwnershipLabels.revision: "1",
                                                OwnershipLabels.fields: #"{"spec.commandLine":"0123456789abcdef","spec.docker.image":"fedcba9876543210"}"#]))
        }
        return [UInt8](try! JSONEncoder().encode(InventoryAnswer(items: items, cursor: "bench.1", complete: true)))
    }
}

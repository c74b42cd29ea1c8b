import BCAPI
import BCClient
import BCModel
@testable import BCPlan
import BCTestSupport
import Foundation
import Testing

/// The controller keeps the inventory it read and asks the engine only what changed since
/// (`InventoryMemory`, the engine's inventory log). Whatever happens to the workspace's
/// objects — created, changed, run by the scheduler, forgotten, adopted elsewhere and back,
/// deleted — the merged inventory must be the one a full read gives, attempt order included.
@Suite(.serialized) struct InventoryMemoryTests {
    /// How two readings of the inventory differ, object by object ([] when they do not).
    static func differences(_ kept: LiveState, _ full: LiveState) -> [String] {
        var out: [String] = []
        if Set(kept.objects.keys) != Set(full.objects.keys) { out.append("addresses \(kept.objects.keys.sorted()) against \(full.objects.keys.sorted())") }
        for (address, xs) in full.objects {
            let ys = kept.objects[address] ?? []
            if xs.map(\.id) != ys.map(\.id) { out.append("\(address): attempts \(ys.map(\.id)) against \(xs.map(\.id))") }
            for (x, y) in zip(xs, ys) where !(x.collection == y.collection && x.labels == y.labels && x.brief == y.brief && x.body == y.body) {
                out.append("\(address) \(x.id): \(y.body) \(y.labels) against \(x.body) \(x.labels)")
            }
        }
        return out
    }

    func client(_ estate: Estate) throws -> BatchComputeClient {
        BatchComputeClient(try ClientConfiguration.fromEnvironment(estate.engine.clientEnvironment))
    }

    @Test func whatChangedMergedIntoTheLastInventoryIsTheFullInventory() async throws {
        let estate = try Estate()
        let client = try client(estate)
        let memory = InventoryMemory()
        var reads = 0
        // The two reads are not one snapshot: while the scheduler moves a job on between them
        // they may differ, so a difference counts only if it stays over a few reads.
        func check(_ step: String, incremental: Bool = true) async throws {
            var differences: [String] = []
            for attempt in 0..<5 {
                let read = try await memory.read(client: client, workspace: "default")
                let kept = try #require(read.state)
                if attempt == 0 { #expect(read.complete == !incremental, "\(step)") }
                let full = try #require(try await LiveState.inventory(client: client, workspace: "default"))
                differences = Self.differences(kept, full)
                if differences.isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(differences.isEmpty, "\(step): \(differences)")
            reads += 1
        }
        try await check("empty", incremental: false)

        try estate.write("cluster.yaml", Estate.cluster)
        try estate.write("app.yaml", Estate.app)
        try estate.write("job.yaml", Estate.job)
        #expect(try estate.apply().status == 0)
        try await check("created")

        // The scheduler moves the job on while the memory reads.
        let greet = ResourceAddress(kind: .Job, name: "greet")
        for _ in 0..<200 {
            try await check("running")
            if let state = try await LiveState.inventory(client: client, workspace: "default")?.current(greet)?.runState, state.isEnded { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await check("ended")

        try estate.edit("app.yaml", "echo hello", "echo hi")
        #expect(try estate.apply().status == 0)
        try await check("app revised")

        // A changed job is a new attempt of the same address, after the old one.
        try estate.edit("job.yaml", "command: echo hi", "command: echo again")
        #expect(try estate.apply().status == 0)
        try await check("job rerun")

        let hello = ResourceAddress(kind: .App, name: "hello")
        _ = try await Ownership.forget(hello, workspace: "default", client: client)
        try await check("app forgotten")
        try await Ownership.adopt(hello, id: "hello", workspace: "other", client: client)
        try await check("app adopted by another workspace")
        _ = try await Ownership.forget(hello, workspace: "other", client: client)
        try await Ownership.adopt(hello, id: "hello", workspace: "default", client: client)
        try await check("app adopted back")

        try estate.remove("job.yaml")
        try estate.remove("app.yaml")
        #expect(try estate.apply().status == 0)
        try await check("deleted")
        #expect(reads > 8)
    }

    @Test func aCursorTheEngineCannotServeGetsTheWholeInventory() async throws {
        let estate = try Estate()
        let client = try client(estate)
        try estate.write("app.yaml", Estate.app)
        #expect(try estate.apply().status == 0)
        func answer(_ since: String?) async throws -> InventoryAnswer {
            let body = try #require(try await client.inventoryIfServed(workspace: "default", since: since))
            return try JSONDecoder().decode(InventoryAnswer.self, from: Data(body))
        }
        let full = try await answer(nil)
        #expect(full.complete && full.items.count == 1)
        let nothing = try await answer(full.cursor)
        #expect(!nothing.complete && nothing.items.isEmpty && nothing.removed.isEmpty && nothing.cursor == full.cursor)
        let (epoch, last) = (full.cursor.split(separator: ".")[0], Int(full.cursor.split(separator: ".")[1])!)
        for cursor in ["", "nonsense", "0123.1", "\(epoch).\(last + 1)", "\(epoch).-1", "\(epoch)"] {
            let answered = try await answer(cursor)
            #expect(answered.complete && answered.items.count == 1, "\(cursor)")
        }
        // Another engine's cursor (another store) is another epoch.
        let other = try Estate()
        let elsewhere = try await answer(try await {
            let body = try #require(try await self.client(other).inventoryIfServed(workspace: "default", since: nil))
            return try JSONDecoder().decode(InventoryAnswer.self, from: Data(body)).cursor
        }())
        #expect(elsewhere.complete && elsewhere.items.count == 1)
    }

    @Test func aMemoryReadsInFullAgainAfterItsPeriod() async throws {
        let estate = try Estate()
        let client = try client(estate)
        let memory = InventoryMemory(fullEvery: 0)
        for _ in 0..<3 {
            #expect(try await memory.read(client: client, workspace: "default").complete)
        }
        let kept = InventoryMemory()
        _ = try await kept.read(client: client, workspace: "default")
        #expect(try await kept.read(client: client, workspace: "other").complete, "another workspace is read in full")
        #expect(try await !kept.read(client: client, workspace: "other").complete)
    }
}

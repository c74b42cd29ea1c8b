import BCModel
import BCTestSupport
import Testing
@testable import BCPlan

/// The apply's schedule (`ApplySchedule`) starts, unblocks and skips exactly as the sorted
/// pass it replaced did: checked against that pass, kept here as the reference, on random
/// graphs with random completion orders and failures. No engine.
@Suite struct ApplyScheduleTests {
    /// The applier's scheduling before `ApplySchedule`: every pass sorts the waiting addresses.
    struct Reference {
        var waits: [ResourceAddress: Set<ResourceAddress>]
        var running: [LiveCollection: Int] = [:]
        var inFlight = 0
        let parallelism: Int
        let limits: [LiveCollection: Int]

        mutating func startPass() -> [ResourceAddress] {
            var started: [ResourceAddress] = []
            for address in waits.keys.sorted() where waits[address]!.isEmpty && inFlight < parallelism {
                let collection = LiveCollection.of(address.kind)
                guard running[collection, default: 0] < limits[collection, default: parallelism] else { continue }
                waits[address] = nil
                running[collection, default: 0] += 1
                inFlight += 1
                started.append(address)
            }
            return started
        }

        mutating func ended(_ address: ResourceAddress, ok: Bool) -> Set<ResourceAddress> {
            inFlight -= 1
            running[LiveCollection.of(address.kind), default: 1] -= 1
            guard !ok else {
                for key in waits.keys { waits[key]!.remove(address) }
                return []
            }
            var skipped = Set<ResourceAddress>()
            var blocked = [address]
            while let b = blocked.popLast() {
                for (key, deps) in waits where deps.contains(b) {
                    waits[key] = nil
                    skipped.insert(key)
                    blocked.append(key)
                }
            }
            return skipped
        }
    }

    /// Random operations over the three collections, each waiting for a few earlier ones, and
    /// deletes (no manifest, so no edges of their own) with their ranks.
    func graph(_ n: Int, _ rng: inout SplitMix64) -> (waits: [ResourceAddress: Set<ResourceAddress>], ranks: [ResourceAddress: Int]) {
        let kinds: [Kind] = [.App, .Cluster, .Job, .RenderProject, .SGECluster]
        var addresses: [ResourceAddress] = []
        var waits: [ResourceAddress: Set<ResourceAddress>] = [:]
        var ranks: [ResourceAddress: Int] = [:]
        for i in 0..<n {
            let a = ResourceAddress(kind: kinds.randomElement(using: &rng)!, name: "r\(Int.random(in: 0..<1000, using: &rng))-\(i)")
            if Int.random(in: 0..<3, using: &rng) == 0 {
                waits[a] = []
                ranks[a] = a.kind.isRun ? 0 : (LiveCollection.of(a.kind) == .apps ? 1 : 2)
                continue
            }
            var deps = Set<ResourceAddress>()
            if !addresses.isEmpty {
                for _ in 0..<Int.random(in: 0...2, using: &rng) { deps.insert(addresses.randomElement(using: &rng)!) }
            }
            addresses.append(a)
            waits[a] = deps
        }
        return (waits, ranks)
    }

    @Test(arguments: 1...40)
    func startsUnblocksAndSkipsAsTheSortedPassDid(seed: Int) {
        var rng = SplitMix64(state: UInt64(seed))
        let (graphed, ranks) = graph(Int.random(in: 1...120, using: &rng), &rng)
        // The reference's deletes wait for every delete of a lower rank, as edges (as the applier's graph had them).
        var waits = graphed
        for (a, rank) in ranks { waits[a] = Set(ranks.filter { $0.value < rank }.keys) }
        let parallelism = Int.random(in: 1...12, using: &rng)
        let limits: [LiveCollection: Int] = [.apps: Int.random(in: 1...6, using: &rng), .clusters: Int.random(in: 1...4, using: &rng), .jobs: 10]
        let failing = Set(waits.keys.filter { _ in Int.random(in: 0..<10, using: &rng) == 0 })

        var reference = Reference(waits: waits, parallelism: parallelism, limits: limits)
        var schedule = ApplySchedule(graphed, ranks: ranks, parallelism: parallelism, limits: limits)
        var inFlight: [ResourceAddress] = []
        while true {
            let expected = reference.startPass()
            var started: [ResourceAddress] = []
            while let a = schedule.start() { started.append(a) }
            #expect(started == expected)
            inFlight += started
            guard !inFlight.isEmpty else { break }
            let done = inFlight.remove(at: Int.random(in: 0..<inFlight.count, using: &rng))
            let ok = !failing.contains(done)
            let skippedExpected = reference.ended(done, ok: ok)
            schedule.ended(done)
            if ok {
                schedule.succeeded(done)
            } else {
                let skipped = schedule.failed(done)
                #expect(Set(skipped.map(\.blocked)) == skippedExpected)
                #expect(skipped.count == skippedExpected.count)
                // Each is skipped because of one it waited for.
                for (blocked, because) in skipped { #expect(waits[blocked]!.contains(because)) }
            }
        }
        #expect(schedule.waits.keys.sorted() == reference.waits.keys.sorted())
        if !ranks.isEmpty, failing.isDisjoint(with: ranks.keys) { #expect(ranks.keys.allSatisfy { schedule.waits[$0] == nil }) }
        #expect(schedule.inFlight == 0)
    }

    @Test func theHeapGivesAddressesInOrder() {
        var rng = SplitMix64(state: 7)
        let all = (0..<500).map { ResourceAddress(kind: .App, name: "a\(Int.random(in: 0..<100_000, using: &rng))-\($0)") }
        var heap = AddressHeap(Array(all.prefix(100)))
        for a in all.dropFirst(100) { heap.insert(a) }
        var out: [ResourceAddress] = []
        while let a = heap.popMin() { out.append(a) }
        #expect(out == all.sorted())
    }
}

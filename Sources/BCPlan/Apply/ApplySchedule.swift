import BCModel

/// Which operation of an apply starts next: the ready ones (nothing they wait for is left) in
/// address order, within `-parallelism` and the per-collection limits.
///
/// The applier used to find them by sorting every waiting address after each finished
/// operation, and to take a finished one out of every waiting set: O(N² log N) for N
/// operations, which made bcapply of 10,000 new Apps 9.6× the same create calls. Here the
/// ready operations wait in a heap per collection and each one knows what waits for it, so
/// an operation costs O(log N) plus its edges. The order is the one the sorted pass gave: in
/// one pass, the smallest ready address whose collection has room starts first (one whose
/// collection is full is passed over; starting others never makes room for it).
///
/// Deletes wait by rank (`ranks`: runs, then apps, then clusters): each waits for every delete
/// of a lower rank. Written as edges, that is deletes² of them; here a count per rank.
struct ApplySchedule {
    /// What each operation not started yet still waits for (a delete: its lower ranks besides).
    private(set) var waits: [ResourceAddress: Set<ResourceAddress>]
    /// For each operation, those that wait for it.
    private var dependents: [ResourceAddress: [ResourceAddress]] = [:]
    /// Each delete's rank.
    private let ranks: [ResourceAddress: Int]
    /// Per rank, its deletes not done yet (failed ones stay: nothing above them goes ahead).
    private var undone: [Int: Int] = [:]
    /// Per rank, its deletes, until the lower ranks are done and they are released.
    private var held: [Int: [ResourceAddress]] = [:]
    /// Operations that wait for nothing and have not started, per collection, smallest first.
    private var ready: [LiveCollection: AddressHeap] = [:]
    private var running: [LiveCollection: Int] = [:]
    private(set) var inFlight = 0
    let parallelism: Int
    let limits: [LiveCollection: Int]

    /// - Parameter ranks: the deletes among `waits` (which has no edges for them) and their ranks.
    init(_ waits: [ResourceAddress: Set<ResourceAddress>], ranks: [ResourceAddress: Int] = [:], parallelism: Int, limits: [LiveCollection: Int]) {
        self.waits = waits
        self.ranks = ranks
        self.parallelism = parallelism
        self.limits = limits
        for (address, rank) in ranks {
            undone[rank, default: 0] += 1
            held[rank, default: []].append(address)
        }
        var readyNow: [LiveCollection: [ResourceAddress]] = [:]
        for (address, deps) in waits {
            if deps.isEmpty, ranks[address] == nil { readyNow[LiveCollection.of(address.kind), default: []].append(address) }
            for d in deps { dependents[d, default: []].append(address) }
        }
        for (collection, addresses) in readyNow { ready[collection] = AddressHeap(addresses) }
        release()
    }

    /// Makes ready the held deletes whose lower ranks are all done.
    private mutating func release() {
        for rank in held.keys.sorted() {
            guard !undone.contains(where: { $0.key < rank && $0.value > 0 }) else { return }
            for a in held.removeValue(forKey: rank)! where waits[a]?.isEmpty == true {
                ready[LiveCollection.of(a.kind), default: AddressHeap([])].insert(a)
            }
        }
    }

    /// The next operation to start now, marked started; nil when none may start yet.
    mutating func start() -> ResourceAddress? {
        guard inFlight < parallelism else { return nil }
        var best: (collection: LiveCollection, address: ResourceAddress)?
        for (collection, heap) in ready {
            guard let head = heap.min,
                  running[collection, default: 0] < limits[collection, default: parallelism] else { continue }
            if best == nil || head < best!.address { best = (collection, head) }
        }
        guard let (collection, address) = best else { return nil }
        _ = ready[collection]!.popMin()
        waits[address] = nil
        running[collection, default: 0] += 1
        inFlight += 1
        return address
    }

    /// A started operation ended (done or failed): its slot is free.
    mutating func ended(_ address: ResourceAddress) {
        inFlight -= 1
        running[LiveCollection.of(address.kind), default: 1] -= 1
    }

    /// A started operation succeeded: what waited only for it becomes ready.
    mutating func succeeded(_ address: ResourceAddress) {
        if let rank = ranks[address] {
            undone[rank]! -= 1
            release()
        }
        for key in dependents[address] ?? [] {
            guard waits[key] != nil, waits[key]!.remove(address) != nil, waits[key]!.isEmpty else { continue }
            ready[LiveCollection.of(key.kind), default: AddressHeap([])].insert(key)
        }
    }

    /// A started operation failed: whatever waits for it, directly or not, cannot go ahead.
    /// Returns each of them with the operation it waited for, taken out of the schedule.
    mutating func failed(_ address: ResourceAddress) -> [(blocked: ResourceAddress, because: ResourceAddress)] {
        var out: [(ResourceAddress, ResourceAddress)] = []
        var blocked = [address]
        if let rank = ranks[address] {
            // Every delete of a higher rank waited for this one.
            for r in held.keys.sorted() where r > rank {
                for key in held.removeValue(forKey: r)! where waits[key] != nil {
                    waits[key] = nil
                    out.append((key, address))
                    blocked.append(key)
                }
            }
        }
        while let b = blocked.popLast() {
            for key in dependents[b] ?? [] where waits[key]?.contains(b) == true {
                waits[key] = nil
                out.append((key, b))
                blocked.append(key)
            }
        }
        return out
    }
}

/// A binary min-heap of addresses.
struct AddressHeap {
    private var items: [ResourceAddress]

    init(_ items: [ResourceAddress]) {
        self.items = items.sorted()  // a sorted array is a heap
    }

    var min: ResourceAddress? { items.first }

    mutating func insert(_ a: ResourceAddress) {
        items.append(a)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i] < items[parent] else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popMin() -> ResourceAddress? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, items[l] < items[m] { m = l }
            if r < items.count, items[r] < items[m] { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}

import BCClient
import BCModel
import Foundation

/// One live object's identity, whatever its address: what the inventory's changes name.
struct LiveObjectKey: Hashable, Sendable {
    var collection: LiveCollection
    var id: String
}

/// An inventory answer as read: the objects it lists (all of them, or those that changed),
/// every object it named (`changed`, also those `LiveState` does not keep: an object that
/// lost its address label), what left the workspace, and where the next answer starts.
struct InventoryReading: Sendable {
    var state = LiveState()
    var changed: [LiveObjectKey] = []
    var removed: [LiveObjectKey] = []
    /// nil from an engine that keeps no log of changes: every answer is then in full.
    var cursor: String?
    /// The answer lists everything (an engine without the log says nothing: in full).
    var complete = true
}

/// The inventory a long-lived reconciler (the controller) read last, kept between sessions
/// so that each one asks the engine only what changed since (`InventoryAnswer`): at 10,000
/// objects, reading the whole inventory was the largest part of a one-line commit. The
/// engine logs every change in the same transaction as the change (EngineStore+InventoryLog),
/// so the merged inventory is the one a full read would give; the engine answers in full
/// whenever it cannot tell (another store, a pruned log), and so does this memory every
/// `fullEvery`, which bounds what a mistake in either could cost.
public actor InventoryMemory {
    private struct Kept {
        var workspace: String
        var cursor: String
        var state: LiveState
        /// Where each object is, to merge changes by ID.
        var addresses: [LiveObjectKey: ResourceAddress]
        var read: Date
    }

    private var kept: Kept?
    private let fullEvery: TimeInterval
    public init(fullEvery: TimeInterval = 600) { self.fullEvery = fullEvery }

    /// The workspace's inventory, as `LiveState.inventory` reads it, and whether it was read
    /// in full (not as what changed since the last read).
    func read(client: BatchComputeClient, workspace: String) async throws -> (state: LiveState?, complete: Bool) {
        // Taken out while it is read and merged, so the merge does not copy 10,000 objects: a
        // read that fails leaves nothing, and the next one (or one that overlaps it) is in full.
        var previous = kept.flatMap { $0.workspace == workspace && Date().timeIntervalSince($0.read) < fullEvery ? $0 : nil }
        kept = nil
        guard let reading = try await LiveState.inventoryReading(client: client, workspace: workspace, since: previous?.cursor) else {
            return (nil, true)
        }
        let complete = reading.complete || previous == nil
        var next: Kept?
        if let cursor = reading.cursor {
            if complete {
                next = Kept(workspace: workspace, cursor: cursor, state: reading.state, addresses: Self.addresses(reading.state), read: Date())
            } else if var merged = previous {
                previous = nil  // the only reference left is merged's: no copy
                Self.merge(reading, into: &merged)
                merged.cursor = cursor
                next = merged
            }
        }
        kept = next
        return (next?.state ?? reading.state, complete)
    }

    /// Forgets the inventory: the next read is in full.
    public func forget() { kept = nil }

    static func addresses(_ state: LiveState) -> [LiveObjectKey: ResourceAddress] {
        var out: [LiveObjectKey: ResourceAddress] = [:]
        out.reserveCapacity(state.objects.count)
        for (address, objects) in state.objects {
            for o in objects { out[LiveObjectKey(collection: o.collection, id: o.id)] = address }
        }
        return out
    }

    /// Applies a reading of changes: a changed object keeps its place among its address's
    /// attempts, a new one comes after them (the engine lists changes in submission order, as
    /// it lists everything), and an object no longer listed, or listed without a place in the
    /// workspace, goes.
    private static func merge(_ reading: InventoryReading, into kept: inout Kept) {
        var fresh: [LiveObjectKey: LiveResource] = [:]
        for objects in reading.state.objects.values {
            for o in objects { fresh[LiveObjectKey(collection: o.collection, id: o.id)] = o }
        }
        var placed = Set<LiveObjectKey>()
        for key in reading.changed + reading.removed {
            guard let address = kept.addresses[key], var objects = kept.state.objects[address],
                  let i = objects.firstIndex(where: { $0.id == key.id && $0.collection == key.collection }) else { continue }
            if let o = fresh[key], o.address == address {
                objects[i] = o
                placed.insert(key)
            } else {
                objects.remove(at: i)
                kept.addresses[key] = nil
            }
            kept.state.objects[address] = objects.isEmpty ? nil : objects
        }
        for (address, objects) in reading.state.objects {
            for o in objects {
                let key = LiveObjectKey(collection: o.collection, id: o.id)
                guard !placed.contains(key) else { continue }
                kept.state.objects[address, default: []].append(o)
                kept.addresses[key] = address
            }
        }
    }
}

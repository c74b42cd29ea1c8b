import BCAPI
import BCClient
import BCManifest
import BCModel
import Foundation

/// From loaded manifests to a `Plan`: lower, read the workspace, refresh, diff.
public enum PlanPipeline {
    /// Lowers one manifest where the loader decodes it (`ManifestLoader.prepare`): a plan's
    /// lowering then runs on every loading core, beside the parsing, instead of after it.
    /// Kinds that need the other manifests (a RenderJob's project) or cannot be lowered are
    /// left to `lower`, which reports them.
    public static let prepare: @Sendable (Manifest) -> (any Sendable)? = { manifest in
        guard manifest.kind != .RenderJob, manifest.kind != .WorkflowRun, let d = try? Lowering.lower(manifest) else { return nil }
        return Lowered(d)
    }

    /// A manifest `prepare` lowered, handed over to the first `lower` of it: moved out, not
    /// copied (a copy retained everything the resource holds, out of cache, 10,000 times).
    final class Lowered: @unchecked Sendable {
        /// Guarded by `handover`; nil once handed over.
        var resource: DesiredResource?
        init(_ resource: DesiredResource) { self.resource = resource }
        static let handover = NSLock()
    }

    /// Lowers one manifest as `prepare` does, for a caller that keeps loaded manifests across
    /// plans (the controller, per git blob): the result is shared by every `lower`, not handed
    /// over once.
    public static let keep: @Sendable (Manifest) -> (any Sendable)? = { manifest in
        guard manifest.kind != .RenderJob, manifest.kind != .WorkflowRun, let d = try? Lowering.lower(manifest) else { return nil }
        return Kept(d)
    }

    /// A manifest `keep` lowered: immutable, copied into each plan's desired state.
    final class Kept: Sendable {
        let resource: DesiredResource
        init(_ resource: DesiredResource) { self.resource = resource }
    }

    /// Lowers every manifest (taking what `prepare` lowered while loading; a manifest lowered
    /// again is lowered anew); kinds not supported yet are errors naming the manifest. (A
    /// separate pass of lowering on both cores was measured slower: the engine answers the
    /// inventory at the same time.)
    public static func lower(_ manifests: [LoadedManifest]) -> (desired: [DesiredResource], errors: [String]) {
        var desired: [DesiredResource] = []
        var errors: [String] = []
        desired.reserveCapacity(manifests.count)
        var context: Lowering.Context?
        Lowered.handover.lock()
        defer { Lowered.handover.unlock() }
        for i in manifests.indices {
            if let lowered = manifests[i].prepared as? Lowered, let d = lowered.resource.take() {
                desired.append(d)
                continue
            }
            if let kept = manifests[i].prepared as? Kept {
                desired.append(kept.resource)
                continue
            }
            let m = manifests[i]
            if context == nil { context = Lowering.Context(manifests.map(\.manifest)) }
            if let run = m.manifest.spec as? WorkflowRunSpec {
                context!.workflows[m.manifest.metadata.name] = Result { () throws(WorkflowSources.Problems) in
                    try WorkflowSources.bundle(run, manifestFile: m.file)
                }
            }
            do { desired.append(try Lowering.lower(m.manifest, context: context!)) } catch {
                // Located like every manifest problem: path:line:col: Kind/name: field: message.
                let located = (error as? WorkflowSources.Problems)?.all.map { ($0.field, $0.message) } ?? [(FieldPath.root / "kind", "\(error)")]
                errors += located.map { field, message in
                    Diagnostic(file: m.file, mark: m.root.locate(field).start, address: m.manifest.address, field: field, message: message)
                }.sorted().map(\.description)
            }
        }
        return (desired, errors)
    }

    /// SHA-256 (hex) over the files' paths and contents, in path order.
    public static func manifestsHash(files: [String]) -> String {
        let sorted = files.sorted()
        // One buffer of the right size (4 MB for 10,000 manifests): grown by doubling, with a
        // copy or two of each file on the way, it made 17 MB of fresh pages.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sorted.reduce(0) { total, f in
            var info = stat()
            return total + f.utf8.count + 2 + (stat(f, &info) == 0 ? Int(info.st_size) : 0)
        })
        for f in sorted {
            bytes += f.utf8
            bytes.append(0)
            if let data = FileManager.default.contents(atPath: f) { bytes += data }
            bytes.append(0)
        }
        return FieldHasher.hex(HMACDigest.sha256.mac(key: Array("bcops manifests".utf8), message: bytes))
    }

    /// Refreshes what the workspace owns, reading in full only what may differ from the manifests.
    /// A manifest's object that the plan cannot read fails the refresh, naming the object
    /// (`LiveState.checkReadable`), instead of the plan.
    /// - Parameter inventory: the workspace's inventory if already read (`LiveState.inventory`).
    public static func refresh(desired: [DesiredResource], inventory: LiveState? = nil, client: BatchComputeClient, workspace: String,
                               options: PlanOptions, hasher: FieldHasher, refresh: Bool,
                               readSecret: @escaping SecretReader = SecretSources.read) async throws -> LiveState {
        let planner = Planner(hasher: hasher, readSecret: readSecret, options: options)
        if !options.destroy { try await AppJobChecks.checkExist(desired, client: client) }
        let fetched: LiveState?
        if let inventory { fetched = inventory } else { fetched = try await LiveState.inventory(client: client, workspace: workspace) }
        guard let inventory = fetched else {
            let live = try await LiveState.refreshFull(client: client, workspace: workspace)
            try live.checkReadable(desired)
            return live
        }
        // The objects to read in full, in one synchronous pass over the manifests' array
        // (objects without a manifest need no values: they are deleted).
        var full: [LiveResource] = []
        let none = LiveState()
        desired.withUnsafeBufferPointer { desired in
            for d in desired.indices {
                let address = desired[d].address
                guard let attempts = inventory.objects[address], !attempts.isEmpty else { continue }
                // The latest attempt only (of a run), read in place: see `Planner.needsFull`.
                attempts.withUnsafeBufferPointer { attempts in
                    let o = attempts.count - 1
                    // References of runs hash by address, so no live state is needed here.
                    if planner.needsFull(address: address, applied: attempts[o].specHash, appliedRevision: attempts[o].appliedRevision,
                                         revision: attempts[o].revision,
                                         desiredSpec: { desired[d].plainSpecHash ?? planner.specHash(desired[d], live: none) },
                                         refresh: refresh) {
                        full.append(attempts[o])
                    }
                }
            }
        }
        var live = try await LiveState.refresh(client: client, workspace: workspace, inventory: inventory, full: full)
        // What was read in full is what the plan reads the fields label of: nothing on a no-op plan.
        if !full.isEmpty { try live.checkReadable(desired) }
        live.runProgress = await WorkflowProgress.read(desired, live: live, client: client)
        return live
    }

    /// - Parameter detailed: keep every unchanged resource's fields and desired record (for
    ///   JSON, Markdown and plan files); a text plan needs only what changes.
    /// - Parameter manifestsHash: `manifestsHash(files:)` if already computed (bcplan computes
    ///   it on the other core while it refreshes and diffs).
    public static func plan(desired: [DesiredResource], files: [String], workspace: WorkspaceState, live: LiveState,
                            options: PlanOptions, hasher: FieldHasher, readSecret: @escaping SecretReader = SecretSources.read,
                            detailed: Bool = true, manifestsHash knownHash: String? = nil) -> Plan {
        var planner = Planner(hasher: hasher, readSecret: readSecret, options: options)
        planner.detailed = detailed
        let result = planner.plan(desired: desired, live: live)
        var warnings = result.warnings
        if !options.destroy {
            warnings += AppJobChecks.warnings(desired)
            for d in desired where !d.notes.isEmpty { warnings += d.notes }
        }
        // A plain spec hash means no secret (a secret has no hash until it is read).
        for i in desired.indices where desired[i].plainSpecHash == nil {
            let d = desired[i]
            for f in d.fields {
                if case .secret(let source) = f.value, readSecret(source) == nil {
                    warnings.append("\(d.address): \(f.path) comes from \(SecretSources.describe(source)), which is not readable here; bcapply must be able to read it")
                }
            }
        }
        return Plan(workspace: workspace.name, lineage: workspace.lineage, serial: workspace.serial,
                    manifestsHash: knownHash ?? manifestsHash(files: files), createdAt: WireTime.format(Date()), destroy: options.destroy,
                    changes: result.changes, drift: result.drift, desired: records(desired, for: result.changes, all: detailed), warnings: warnings)
    }

    /// The desired resources a plan file must carry: those that change (and what they refer
    /// to), or all of them.
    static func records(_ desired: [DesiredResource], for changes: [ResourceChange], all: Bool) -> [DesiredResourceRecord] {
        if all { return desired.map(DesiredResourceRecord.init) }
        var needed = Set(changes.filter { $0.action != .noop || $0.relabel == true }.map(\.address))
        for i in desired.indices where needed.contains(desired[i].address) { needed.formUnion(desired[i].dependencies) }
        return desired.filter { needed.contains($0.address) }.map(DesiredResourceRecord.init)
    }
}

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
        manifest.kind == .RenderJob ? nil : try? Lowering.lower(manifest)
    }

    /// Lowers every manifest (taking what `prepare` lowered while loading as is); kinds not
    /// supported yet are errors naming the manifest. (A separate pass of lowering on both
    /// cores was measured slower: the engine answers the inventory at the same time.)
    public static func lower(_ manifests: [LoadedManifest]) -> (desired: [DesiredResource], errors: [String]) {
        var desired: [DesiredResource] = []
        var errors: [String] = []
        desired.reserveCapacity(manifests.count)
        var context: Lowering.Context?
        for i in manifests.indices {
            if let prepared = manifests[i].prepared as? DesiredResource {
                desired.append(prepared)
                continue
            }
            let m = manifests[i]
            if context == nil { context = Lowering.Context(manifests.map(\.manifest)) }
            do { desired.append(try Lowering.lower(m.manifest, context: context!)) } catch {
                // Located like every manifest problem: path:line:col: Kind/name: field: message.
                let kind = FieldPath.root / "kind"
                errors.append(Diagnostic(file: m.file, mark: m.root.locate(kind).start, address: m.manifest.address, field: kind,
                                         message: "\(error)").description)
            }
        }
        return (desired, errors)
    }

    /// SHA-256 (hex) over the files' paths and contents, in path order.
    public static func manifestsHash(files: [String]) -> String {
        var bytes: [UInt8] = []
        for f in files.sorted() {
            bytes += Array(f.utf8) + [0]
            bytes += Array(FileManager.default.contents(atPath: f) ?? Data()) + [0]
        }
        return FieldHasher.hex(HMACDigest.sha256.mac(key: Array("bcops manifests".utf8), message: bytes))
    }

    /// Refreshes what the workspace owns, reading in full only what may differ from the manifests.
    /// - Parameter inventory: the workspace's inventory if already read (`LiveState.inventory`).
    public static func refresh(desired: [DesiredResource], inventory: LiveState? = nil, client: BatchComputeClient, workspace: String,
                               options: PlanOptions, hasher: FieldHasher, refresh: Bool,
                               readSecret: @escaping SecretReader = SecretSources.read) async throws -> LiveState {
        let planner = Planner(hasher: hasher, readSecret: readSecret, options: options)
        let fetched: LiveState?
        if let inventory { fetched = inventory } else { fetched = try await LiveState.inventory(client: client, workspace: workspace) }
        guard let inventory = fetched else { return try await LiveState.refreshFull(client: client, workspace: workspace) }
        // The objects to read in full, in one synchronous pass over the manifests' array
        // (objects without a manifest need no values: they are deleted).
        var full: [LiveResource] = []
        let none = LiveState()
        desired.withUnsafeBufferPointer { desired in
            for d in desired.indices {
                // The latest attempt only (of a run); read through the buffers, without copies.
                guard let attempts = inventory.objects[desired[d].address], !attempts.isEmpty else { continue }
                attempts.withUnsafeBufferPointer { attempts in
                    let o = attempts.count - 1
                    // References of runs hash by address, so no live state is needed here.
                    if planner.needsFull(attempts[o], of: desired[d], live: none, refresh: refresh) { full.append(attempts[o]) }
                }
            }
        }
        return try await LiveState.refresh(client: client, workspace: workspace, inventory: inventory, full: full)
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
        for d in desired where needed.contains(d.address) { needed.formUnion(d.dependencies) }
        return desired.filter { needed.contains($0.address) }.map(DesiredResourceRecord.init)
    }
}

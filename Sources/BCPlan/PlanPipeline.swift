import BCAPI
import BCClient
import BCManifest
import BCModel
import Foundation

/// From loaded manifests to a `Plan`: lower, read the workspace, refresh, diff.
public enum PlanPipeline {
    /// Lowers every manifest; kinds not supported yet are errors naming the manifest.
    public static func lower(_ manifests: [LoadedManifest]) -> (desired: [DesiredResource], errors: [String]) {
        var desired: [DesiredResource] = []
        var errors: [String] = []
        for m in manifests {
            do { desired.append(try Lowering.lower(m.manifest)) } catch {
                errors.append("\(m.file): \(error)")
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

    public static func plan(desired: [DesiredResource], files: [String], workspace: WorkspaceState, live: LiveState,
                            options: PlanOptions, hasher: FieldHasher, readSecret: @escaping SecretReader = SecretSources.read) -> Plan {
        let result = Planner(hasher: hasher, readSecret: readSecret, options: options).plan(desired: desired, live: live)
        var warnings = result.warnings
        for d in desired {
            for f in d.fields {
                if case .secret(let source) = f.value, readSecret(source) == nil {
                    warnings.append("\(d.address): \(f.path) comes from \(SecretSources.describe(source)), which is not readable here; bcapply must be able to read it")
                }
            }
        }
        return Plan(workspace: workspace.name, lineage: workspace.lineage, serial: workspace.serial,
                    manifestsHash: manifestsHash(files: files), createdAt: WireTime.format(Date()), destroy: options.destroy,
                    changes: result.changes, drift: result.drift, desired: desired.map(DesiredResourceRecord.init), warnings: warnings)
    }
}

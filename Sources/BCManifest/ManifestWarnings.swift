import BCModel

/// Things that are valid but probably not what was meant: reported by `validate` as warnings
/// (`warning: path:line:col: Kind/name: field: message`), which do not fail it.
public enum ManifestWarnings {
    /// Runs placed on a cluster of the set that has no nodes (`desiredCount: 0` in every
    /// group): such a run waits, and stays `Waiting`, until a group is scaled up.
    public static func find(in result: LoadResult) -> [Diagnostic] {
        var empty: Set<String> = []
        var projects: [String: RenderProjectSpec] = [:]
        for m in result.manifests {
            if let cluster = m.manifest.spec as? ClusterSpec, !cluster.groups.isEmpty,
               cluster.groups.values.allSatisfy({ $0.desiredCount == 0 }) {
                empty.insert(m.manifest.metadata.name)
            }
            if let project = m.manifest.spec as? RenderProjectSpec { projects[m.manifest.metadata.name] = project }
        }
        guard !empty.isEmpty else { return [] }
        var out: [Diagnostic] = []
        func warn(_ m: LoadedManifest, _ field: FieldPath, _ cluster: String, what: String, via: String = "") {
            let message = "cluster \"\(cluster)\"\(via) has no nodes (desiredCount is 0 in every group): \(what) will wait until a group's desiredCount is raised"
            out.append(Diagnostic(file: m.file, mark: m.root.locate(field).start, address: m.manifest.address, field: field, message: message))
        }
        for m in result.manifests {
            switch m.manifest.spec {
            case let job as JobSpec:
                for (name, task) in (job.tasks ?? [:]).sorted(by: { $0.key < $1.key }) {
                    if let c = task.cluster, empty.contains(c) {
                        warn(m, FieldPath.root / "spec" / "tasks" / name / "cluster", c, what: "task \(name)")
                    }
                }
            case let job as RenderJobSpec:
                if let c = job.cluster {
                    if empty.contains(c) { warn(m, FieldPath.root / "spec" / "cluster", c, what: "this job") }
                } else if job.autoCluster == nil, let project = projects[job.project], let c = project.defaults?.cluster,
                          project.defaults?.autoCluster == nil, empty.contains(c) {
                    warn(m, FieldPath.root / "spec" / "project", c, what: "this job", via: " (RenderProject/\(job.project)'s defaults.cluster)")
                }
            default: break
            }
        }
        return out.sorted()
    }
}

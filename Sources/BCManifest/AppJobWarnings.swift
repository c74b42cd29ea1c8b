import BCModel

/// Warnings about runs of Apps (a Job with `app:`), which `validate` prints without failing:
/// an App that is not declared in the manifests (it must exist on the engine; the plan checks),
/// and a run on a cluster of the set that has no nodes.
public enum AppJobWarnings {
    public static func find(in result: LoadResult) -> [Diagnostic] {
        var apps: Set<String> = []
        var empty: Set<String> = []
        for m in result.manifests {
            if m.manifest.kind == .App { apps.insert(m.manifest.metadata.name) }
            if let cluster = m.manifest.spec as? ClusterSpec, !cluster.groups.isEmpty,
               cluster.groups.values.allSatisfy({ $0.desiredCount == 0 }) {
                empty.insert(m.manifest.metadata.name)
            }
        }
        var out: [Diagnostic] = []
        for m in result.manifests {
            guard let job = m.manifest.spec as? JobSpec, let app = job.app else { continue }
            func warn(_ field: FieldPath, _ message: String) {
                out.append(Diagnostic(file: m.file, mark: m.root.locate(field).start, address: m.manifest.address, field: field, message: message))
            }
            let bare = app.hasPrefix(":") ? String(app.dropFirst()) : app
            if !apps.contains(bare) {
                warn(FieldPath.root / "spec" / "app",
                     "App \"\(bare)\" is not declared in these manifests, so it must exist on the engine (bcplan checks)"
                        + Suggestions.hint(for: bare, in: apps.sorted()))
            }
            if let c = job.config?.cluster, empty.contains(c) {
                warn(FieldPath.root / "spec" / "config" / "cluster",
                     "cluster \"\(c)\" has no nodes (desiredCount is 0 in every group): this job will wait until a group's desiredCount is raised")
            }
        }
        return out.sorted()
    }
}

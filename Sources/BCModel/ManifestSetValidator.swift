/// Rules across manifests: unique names per kind and references that must resolve.
public enum ManifestSetValidator {
    /// A problem with the manifest (by index into the input) it belongs to.
    public struct Finding: Sendable, Equatable {
        public var manifestIndex: Int
        public var diagnostic: ModelDiagnostic
    }

    /// `locations` describes where manifest `i` was defined (for "first defined at …").
    public static func validate(_ manifests: [Manifest], context: ValidationContext = .init(),
                                locations: ((Int) -> String)? = nil) -> [Finding] {
        var findings: [Finding] = []
        var byName: [Kind: [String: Int]] = [:]
        // By index, reading fields in place: `for m in manifests` copies each manifest, which
        // at 10,000 manifests was a good part of a one-App commit's time in the controller.
        for i in manifests.indices {
            let (kind, name) = (manifests[i].kind, manifests[i].metadata.name)
            if let first = byName[kind]?[name] {
                let where_ = locations.map { " (first defined at \($0(first)))" } ?? ""
                findings.append(Finding(manifestIndex: i, diagnostic: ModelDiagnostic("metadata.name",
                    "\(manifests[i].address) is defined more than once\(where_); names are unique per kind")))
            } else {
                byName[kind, default: [:]][name] = i
            }
        }
        func exists(_ kind: Kind, _ name: String) -> Bool { byName[kind]?[name] != nil }
        func clusterExists(_ name: String) -> Bool { exists(.Cluster, name) || exists(.SGECluster, name) }
        func names(_ kinds: Kind...) -> [String] { kinds.flatMap { (byName[$0] ?? [:]).keys }.sorted() }

        for i in manifests.indices {
            // Apps and clusters refer to nothing another manifest defines.
            switch manifests[i].kind {
            case .App, .Cluster, .SGECluster: continue
            case .RenderProject, .RenderJob, .WorkflowRun, .Job: break
            }
            let m = manifests[i]
            var sink = DiagnosticSink()
            func clusterRef(_ name: String, at path: FieldPath) {
                if name.hasPrefix("cls-") { return }
                if !clusterExists(name) {
                    sink.error(path, "Cluster \"\(name)\" is not defined\(Suggestions.hint(for: name, in: names(.Cluster, .SGECluster)))")
                }
            }
            switch m.spec {
            case let job as RenderJobSpec:
                let spec = FieldPath.root / "spec"
                if let c = job.cluster { clusterRef(c, at: spec / "cluster") }
                if let index = byName[.RenderProject]?[job.project], let project = manifests[index].spec as? RenderProjectSpec {
                    checkRenderJob(job, against: project, into: &sink)
                } else {
                    sink.error(spec / "project", "RenderProject \"\(job.project)\" is not defined\(Suggestions.hint(for: job.project, in: names(.RenderProject)))")
                }
            case let project as RenderProjectSpec:
                if let c = project.defaults?.cluster { clusterRef(c, at: "spec.defaults.cluster") }
            case let run as WorkflowRunSpec:
                if let c = run.runtime?.cluster, case .success(.clusterName(let name)) = CromwellRuntime.parseCluster(c) {
                    clusterRef(name, at: "spec.runtime.cluster")
                }
                if let c = run.runner?.cluster { clusterRef(c, at: "spec.runner.cluster") }
                if let cycle = workflowCycle(from: m.metadata.name, in: manifests, index: byName[.WorkflowRun] ?? [:]) {
                    sink.error("spec.dependsOn", "dependsOn forms a cycle: \(cycle.joined(separator: " -> "))")
                }
                for (k, other) in (run.dependsOn ?? []).enumerated() where !exists(.WorkflowRun, other) {
                    sink.error(FieldPath("spec.dependsOn").appending(index: k),
                               "WorkflowRun \"\(other)\" is not defined\(Suggestions.hint(for: other, in: names(.WorkflowRun)))")
                }
            case let job as JobSpec:
                for (name, task) in job.tasks ?? [:] {
                    if let c = task.cluster { clusterRef(c, at: FieldPath.root / "spec" / "tasks" / name / "cluster") }
                }
                if let c = job.config?.cluster { clusterRef(c, at: FieldPath.root / "spec" / "config" / "cluster") }
                // An App that is not declared here may exist on the engine: the plan checks it there.
                if let app = job.app, let index = byName[.App]?[app], let declared = manifests[index].spec as? AppSpec {
                    checkAppJob(job, against: declared, app: app, into: &sink)
                }
            default: break
            }
            findings.append(contentsOf: sink.diagnostics.map { Finding(manifestIndex: i, diagnostic: $0) })
        }
        return findings
    }

    /// A dependency cycle through `start`, as a closed path of names, or nil.
    static func workflowCycle(from start: String, in manifests: [Manifest], index: [String: Int]) -> [String]? {
        func next(_ name: String) -> [String] {
            guard let i = index[name], let run = manifests[i].spec as? WorkflowRunSpec else { return [] }
            return run.dependsOn ?? []
        }
        var stack: [(String, [String])] = [(start, [start])]
        var seen: Set<String> = []
        while let (name, path) = stack.popLast() {
            for n in next(name) {
                if n == start { return path + [n] }
                if seen.insert(n).inserted { stack.append((n, path + [n])) }
            }
        }
        return nil
    }

    /// A run of an App declared in the same manifests: its inputs and outputs are the App's,
    /// required ones are given, fixed ones are left alone, and values fit their parameters.
    static func checkAppJob(_ job: JobSpec, against app: AppSpec, app name: String, into sink: inout DiagnosticSink) {
        let spec = FieldPath.root / "spec"
        let groups: [(field: String, given: [String: String]?, declared: [String: AppParameter], other: [String: AppParameter])] = [
            ("inputs", job.inputs, app.inputs ?? [:], app.outputs ?? [:]),
            ("outputs", job.outputs, app.outputs ?? [:], app.inputs ?? [:]),
        ]
        for g in groups {
            let what = g.field == "inputs" ? "input" : "output"
            for (param, value) in (g.given ?? [:]).sorted(by: { $0.key < $1.key }) {
                let path = spec / g.field / param
                guard let p = g.declared[param] else {
                    let elsewhere = g.other[param] != nil ? " (it is one of its \(g.field == "inputs" ? "outputs" : "inputs"))" : ""
                    let list = g.declared.keys.sorted()
                    let hint = elsewhere.isEmpty ? Suggestions.hint(for: param, in: list) : ""
                    let declares = !elsewhere.isEmpty ? "" : list.isEmpty ? "; it declares no \(what)s"
                        : hint.isEmpty ? "; it declares \(list.joined(separator: ", "))" : hint
                    sink.errorAtKey(path, "App \"\(name)\" has no \(what) named \"\(param)\"\(elsewhere)\(declares)")
                    continue
                }
                if p.overwritable == false {
                    sink.error(path, "App \"\(name)\" does not let jobs set \(what) \"\(param)\" (overwritable: false; it is always \"\(p.default ?? "")\")")
                }
                if p.type == .Number, !(Double(value)?.isFinite ?? false) {
                    sink.error(path, "\(what) \"\(param)\" of App \"\(name)\" is a Number, got \"\(value)\"")
                }
                if p.localPath != nil { Rules.ossPrefix(value, at: path, into: &sink) }
            }
            for (param, p) in g.declared.sorted(by: { $0.key < $1.key }) where p.default == nil && g.given?[param] == nil {
                sink.error(g.given == nil ? spec / "app" : spec / g.field,
                           "\(what) \"\(param)\" of App \"\(name)\" has no default and must be set (spec.\(g.field).\(param))")
            }
        }
    }

    static func checkRenderJob(_ job: RenderJobSpec, against project: RenderProjectSpec, into sink: inout DiagnosticSink) {
        let spec = FieldPath.root / "spec"
        let suffix = project.software.sceneSuffix ?? (project.software.isBlender ? ".blend" : nil)
        if let suffix, !job.scene.lowercased().hasSuffix(suffix.lowercased()) {
            sink.error(spec / "scene", "scene \"\(job.scene)\" does not end with the software's scene suffix \(suffix)")
        }
        if job.scene.hasPrefix("oss://"), !project.ossMappings.contains(where: { job.scene.hasPrefix($0.source) }) {
            sink.error(spec / "scene", "scene \"\(job.scene)\" is not under any of the project's ossMappings (\(project.ossMappings.map(\.source).joined(separator: ", ")))")
        }
        if let disks = job.autoCluster?.disks {
            Rules.disks(disks, platform: project.platform ?? .Linux, at: spec / "autoCluster" / "disks", into: &sink)
        }
        let declared = project.software.effectiveParams
        // The values reach the node's command line inside single quotes.
        if job.scene.contains("'") { sink.error(spec / "scene", "scene \"\(job.scene)\" must not contain a single quote") }
        for (name, value) in job.params ?? [:] where value.contains("'") {
            sink.error(spec / "params" / name, "value must not contain a single quote")
        }
        for (name, _) in job.params ?? [:] where declared[name] == nil {
            sink.errorAtKey(spec / "params" / name, "parameter \"\(name)\" is not declared by the project's software\(Suggestions.hint(for: name, in: declared.keys.sorted()))")
        }
        for (name, p) in declared where p.default == nil && job.params?[name] == nil {
            sink.error(spec / "params", "parameter \"\(name)\" has no default in the project and must be set")
        }
        if job.cluster == nil && job.autoCluster == nil && project.defaults?.cluster == nil && project.defaults?.autoCluster == nil {
            sink.error(spec, "no cluster: set cluster or autoCluster here or in the project's defaults")
        }
    }
}

import BCAPI
import BCManifest
import BCModel
import Foundation

/// A WorkflowRun's WDL and inputs checked by miniwdl's parser (`WDLInspection`), each finding
/// placed at the manifest field a reader fixes it in: an input at its key under `spec.inputs`
/// (or at `spec.inputsFile`), the WDL's own problems at `spec.workflow`. Shared by
/// `bcctl validate` and the plan.
public enum WorkflowChecks {
    public struct Finding: Sendable, Equatable {
        public var field: FieldPath
        public var message: String
        public var isError: Bool
    }

    public static func findings(_ spec: WorkflowRunSpec, manifestFile: String) -> [Finding] {
        guard !spec.workflow.contains("://") else { return [] }  // not beside the manifest: the runner checks it
        do {
            return inspected(spec, try WorkflowSources.read(spec, manifestFile: manifestFile)).findings
        } catch {
            return [Finding(field: error.field, message: error.message, isError: true)]
        }
    }

    /// The findings, and miniwdl's view of the workflow when it could read it (its name is
    /// where the runner writes the run's metadata: `<outputsDir><workflow>.<run id>.metadata.json`).
    static func inspected(_ spec: WorkflowRunSpec, _ sources: WorkflowSources.Read) -> (findings: [Finding], inspection: WDLInspection?) {
        let root = FieldPath.root / "spec"
        guard let main = sources.main else { return ([], nil) }  // on OSS: the runner checks it
        let files = sources.files, inputs = sources.inputs
        let inspection: WDLInspection
        do {
            inspection = try WDLInspection.inspect(main: main, inputs: inputs, key: WorkflowSources.hash(files.map { ($0.relative, $0.bytes) }))
        } catch {
            return ([Finding(field: root / "workflow", message: "WDL checks skipped: \(error)", isError: false)], nil)
        }
        var out: [Finding] = []
        for p in inspection.problems {
            out.append(Finding(field: field(of: p, spec: spec), message: message(p), isError: true))
        }
        for w in inspection.runtimeWarnings {
            out.append(Finding(field: root / "workflow", message: "task \(w.task)\(place(w.file, w.line, w.column)): \(w.message)", isError: false))
        }
        for (key, tasks) in inspection.ignoredRuntimeKeys.sorted(by: { $0.key < $1.key }) {
            out.append(Finding(field: root / "workflow", message: "runtime key \(key) (task\(tasks.count == 1 ? "" : "s") \(tasks.joined(separator: ", "))) "
                               + "is Google's; it is ignored here, as Cromwell's BatchCompute backend ignores it", isError: false))
        }
        let docker = inspection.tasks.filter { $0.docker != nil }.map(\.name)
        if !docker.isEmpty {
            out.append(Finding(field: root / "workflow", message: "task\(docker.count == 1 ? "" : "s") \(docker.joined(separator: ", ")) set docker: "
                               + "on a cluster with runtime: host they run on the host (as miniwdl's bare backend does), elsewhere in the image", isError: false))
        }
        return (out, inspection)
    }

    /// An input problem at its key when the inputs are inline, else at the file that holds them.
    static func field(of p: WDLInspection.Problem, spec: WorkflowRunSpec) -> FieldPath {
        let root = FieldPath.root / "spec"
        if p.kind == "syntax" { return root / "workflow" }
        if let inline = spec.inputs {
            if let key = p.input, inline[key] != nil { return root / "inputs" / key }
            return root / "inputs"
        }
        return spec.inputsFile != nil ? root / "inputsFile" : root / "workflow"
    }

    static func message(_ p: WDLInspection.Problem) -> String {
        guard p.kind == "missing" || p.kind == "syntax" else { return p.message }
        return p.message + (p.kind == "missing" ? place(p.file, p.line, p.column).replacingOccurrences(of: " (", with: " (declared at ") : place(p.file, p.line, p.column))
    }

    static func place(_ file: String?, _ line: Int?, _ column: Int?) -> String {
        guard let file else { return "" }
        return " (\(file)\(line.map { ":\($0)" } ?? "")\(column.map { ":\($0)" } ?? ""))"
    }
}

extension WorkflowChecks {
    /// `bcctl validate`'s share: the findings of every WorkflowRun whose manifest is complete,
    /// as located diagnostics (errors, then warnings).
    public static func diagnostics(_ manifests: [LoadedManifest]) -> (errors: [Diagnostic], warnings: [Diagnostic]) {
        var errors: [Diagnostic] = [], warnings: [Diagnostic] = []
        for m in manifests where m.isComplete {
            guard let run = m.manifest.spec as? WorkflowRunSpec else { continue }
            for f in findings(run, manifestFile: m.file) {
                let d = Diagnostic(file: m.file, mark: m.root.locate(f.field).start, address: m.manifest.address, field: f.field, message: f.message)
                if f.isError { errors.append(d) } else { warnings.append(d) }
            }
        }
        return (errors, warnings)
    }
}

import BCAPI
import BCModel

/// The options JSON a run's runner reads: the manifest's `options` (Cromwell's workflow
/// options), with what the spec says in its own fields written over them, since the spec is
/// where a reviewer looks: `tag` is `bcs_workflow_tag`, `callCaching` sets both
/// `read_from_cache` and `write_to_cache`, and `runtime` joins `default_runtime_attributes`.
enum WorkflowOptions {
    static func merged(_ options: [String: JSONValue], spec: WorkflowRunSpec) -> [String: JSONValue] {
        var out = options
        if let tag = spec.tag { out["bcs_workflow_tag"] = .string(tag) }
        if let caching = spec.callCaching {
            out["read_from_cache"] = .bool(caching)
            out["write_to_cache"] = .bool(caching)
        }
        if let runtime = spec.runtime, let attributes = JSONValue(encoding: runtime).objectValue, !attributes.isEmpty {
            var defaults = out["default_runtime_attributes"]?.objectValue ?? [:]
            defaults.merge(attributes) { _, spec in spec }
            out["default_runtime_attributes"] = .object(defaults)
        }
        return out
    }
}

import BCAPI
import BCModel

/// The runner job of one workflow run as a create body: what bcapply submits for a WorkflowRun
/// manifest (less its ownership labels), built by the same lowering. The Cromwell front-end
/// (`BCCromwell`) submits its workflows through this, so a workflow posted to the Cromwell API
/// runs exactly as the same WDL in a manifest would: one job shape, spelled once.
public enum WorkflowRunJob {
    /// A field that names another resource (a `runner.cluster` given by Cluster name) cannot be
    /// resolved without a plan; callers outside one give `cls-…` ids or nothing.
    public struct Unresolved: Error, Sendable, CustomStringConvertible {
        public var field: String
        public var description: String { "\(field) names another resource; give a cls- id" }
    }

    /// - Parameters:
    ///   - runId: the run's id in its output tree (`<workingDir><workflow>/<tag>/<run id>/`), when
    ///     the caller has one of its own (a Cromwell workflow id); else the runner derives it from
    ///     its job id.
    ///   - labels: the job's labels (no workspace's: such a run belongs to none, and plans never see it).
    public static func body(_ spec: WorkflowRunSpec, name: String, bundle: WorkflowBundle, runId: String? = nil,
                            labels: [String: String] = [:]) throws(Unresolved) -> JSONValue {
        var o = Lowering.fixed(WorkflowRunLowering.fixed, name: name)
        for field in WorkflowRunLowering.lower(spec, name: name, bundle: bundle).fields {
            guard case .value(let value) = field.value else { throw Unresolved(field: field.path) }
            BodyBuilder.set(value, at: field.apiPath, in: &o)
        }
        if let runId {
            let key = [JobDescription.Field.app.rawValue, JobDescription.AppRun.CodingKeys.inputs.rawValue, CromwellApp.Input.workflowId.rawValue]
            BodyBuilder.set(.string(runId), at: key, in: &o)
        }
        if !labels.isEmpty { o[JobDescription.Field.labels.rawValue] = .object(labels.mapValues(JSONValue.string)) }
        return .object(o)
    }

    /// Where a run's staged sources go when its outputs go under `outputsDir`: the outputs
    /// bucket's `bcops/workflows/`, as for manifests.
    public static func stagingPrefix(outputsDir: String) -> String {
        "oss://\(WorkflowSources.bucket(of: outputsDir))/bcops/workflows/"
    }
}

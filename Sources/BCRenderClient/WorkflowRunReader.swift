import BCAPI
import BCClient
import Foundation

/// A WorkflowRun as its runner reports it: the metadata it keeps on OSS beside the outputs
/// (`<OUTPUTS_DIR><workflow>.<run id>.metadata.json`, Cromwell's shape), found from the runner's
/// job alone: its `OUTPUTS_DIR` input and the run id derived from its job id (`WorkflowRunID`).
public enum WorkflowRunReader {
    public struct Run: Sendable {
        public var job: JobStatus
        public var runId: String
        public var metadataURL: String?
        /// The metadata document; nil until the runner has written it.
        public var metadata: JSONValue?

        public var calls: [Call] { metadata.map(Call.all) ?? [] }
        /// The runner's word while its job runs; once the job has ended, the job's when the
        /// runner could not say (it was killed: a timeout, a stop).
        public var status: String {
            let said = metadata?["status"]?.stringValue
            if job.state.isEnded, said == nil || said == "Running" { return job.state == .finished ? "Succeeded" : job.state.rawValue }
            return said ?? "Starting"
        }
        public var workflowName: String? { metadata?["workflowName"]?.stringValue }
        public var progress: (done: Int, calls: Int)? {
            guard let p = metadata?["progress"], let done = p["done"]?.intValue, let calls = p["calls"]?.intValue else { return nil }
            return (done, calls)
        }
    }

    /// One attempt of one call (shard), as the metadata lists it.
    public struct Call: Sendable {
        public var name: String
        public var shard: Int
        public var attempt: Int
        public var state: String
        public var jobId: String
        public var cacheHit: Bool
        public var start: String
        public var end: String
        public var returnCode: Int?
        public var stdout: String?
        public var stderr: String?

        static func all(_ metadata: JSONValue) -> [Call] {
            var out: [Call] = []
            for (name, entries) in (metadata["calls"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                for e in entries.arrayValue ?? [] {
                    out.append(Call(name: name, shard: e["shardIndex"]?.intValue ?? -1, attempt: e["attempt"]?.intValue ?? 1,
                                    state: e["executionStatus"]?.stringValue ?? "", jobId: e["jobId"]?.stringValue ?? "",
                                    cacheHit: e["callCaching"]?["hit"]?.boolValue ?? false,
                                    start: e["start"]?.stringValue ?? "", end: e["end"]?.stringValue ?? "",
                                    returnCode: e["returnCode"]?.intValue, stdout: e["stdout"]?.stringValue, stderr: e["stderr"]?.stringValue))
                }
            }
            // In the order they ran (ISO times sort as text); calls not started yet last.
            return out.sorted { ($0.start.isEmpty ? "~" : $0.start, $0.name, $0.shard, $0.attempt) < ($1.start.isEmpty ? "~" : $1.start, $1.name, $1.shard, $1.attempt) }
        }

        /// Whether `name` (`align`, or `germline_small.align`) names this call.
        public func isNamed(_ name: String) -> Bool { self.name == name || self.name.hasSuffix("." + name) }
    }

    /// - Parameter nameOrId: a WorkflowRun's name, a runner job's id, or the id of a workflow
    ///   submitted through the Cromwell API (a UUID; its runner job is named `cromwell-<id>`).
    /// How the Cromwell front-end names a workflow's runner job: this, then the workflow id.
    public static let cromwellJobPrefix = "cromwell-"

    public static func read(_ nameOrId: String, workspace: String? = nil, client: BatchComputeClient) async throws -> Run {
        let name = UUID(uuidString: nameOrId) != nil ? cromwellJobPrefix + nameOrId.lowercased() : nameOrId
        let job = try await JobReader.resolve(name, workspace: workspace, client: client)
        let description = try await client.jobDescription(job.id)
        guard let app = description.app, app.appName == CromwellApp.jobAppName || app.appName == CromwellApp.name,
              let outputs = app.outputs[CromwellApp.Output.outputsDir.rawValue]?.stringValue, !outputs.isEmpty else {
            throw JobReader.NotFound(message: "job \(job.id) is not a workflow run (a job of the cromwell App)")
        }
        // A Cromwell workflow's runner was given its workflow id (WORKFLOW_ID) as the run's id.
        let given = app.inputs[CromwellApp.Input.workflowId.rawValue]?.stringValue ?? ""
        let runId = given.isEmpty ? WorkflowRunID.of(jobId: job.id) : given
        let prefix = outputs.hasSuffix("/") ? outputs : outputs + "/"
        let oss = OSSClient(client)
        let suffix = "." + runId + ".metadata.json"
        let listed = try await oss.listLevel(prefix).objects
        guard let url = listed.first(where: { $0.hasSuffix(suffix) }) else {
            return Run(job: job, runId: runId, metadataURL: nil, metadata: nil)
        }
        let metadata = try JSONValue.parse(try await oss.get(url))
        return Run(job: job, runId: runId, metadataURL: url, metadata: metadata)
    }
}

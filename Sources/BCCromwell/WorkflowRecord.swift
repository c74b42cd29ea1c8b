import BCAPI

/// What bcops keeps of a workflow submitted through the Cromwell API that its runner job cannot
/// carry: the id given to the client, its labels (which Cromwell lets a client change), whether
/// it is held or still queued behind the concurrency limit, and what was submitted. Kept as one
/// JSON object per workflow on OSS (`WorkflowBook`), written before any answer says it exists,
/// so a front-end killed at any point comes back with every workflow it accepted and launches
/// each at most once (the runner job is created under the workflow's id as its token).
struct WorkflowRecord: Codable, Sendable {
    enum Phase: String, Codable, Sendable {
        /// Submitted with `workflowOnHold`, waiting for `releaseHold`.
        case onHold
        /// Accepted, waiting for a place under the concurrency limit.
        case queued
        /// Its runner job exists (`jobId`).
        case launched
        /// Aborted while held or queued: it never ran.
        case abortedBeforeLaunch
    }

    /// What the client sent, as Cromwell's metadata shows it (`submittedFiles`).
    struct SubmittedFiles: Codable, Sendable {
        var workflow: String
        var workflowUrl: String?
        var inputs: String
        var options: String
        var labels: String
        var workflowType: String
        var workflowTypeVersion: String?
        var root: String?
    }

    /// A lowercase UUID, never given twice.
    var id: String
    /// Order of submission, for the queue (times can tie).
    var sequence: Int
    var submission: String
    var phase: Phase
    var jobId: String?
    var abortRequested = false
    /// When a held or queued workflow was aborted.
    var end: String?
    var labels: [String: String]
    /// The WDL's workflow name, as miniwdl read it at submission.
    var workflowName: String
    /// The staged sources: the runner reads them (content-addressed, as a manifest's are).
    var workflow: String
    var inputs: String?
    var options: String?
    var workingDir: String
    var outputsDir: String
    var submittedFiles: SubmittedFiles
    /// What the checks warned of (runtime keys nobody knows, Google's keys).
    var warnings: [String] = []

    /// The runner job's name: `bcctl workflow status ID` finds it by this.
    var jobName: String { "cromwell-" + id }
    /// The runner's metadata document (`<outputsDir><workflow>.<run id>.metadata.json`).
    var metadataURL: String { outputsDir + workflowName + "." + id + ".metadata.json" }
}

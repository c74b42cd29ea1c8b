import BCModel

/// A WorkflowRun's sources as the runner will read them: the WDL and its imports, the inputs
/// and the options, each staged on OSS under a name made of its content hash. The names are
/// the run's identity: a changed WDL (or import), inputs or options is a new name, so the plan
/// says which of the three changed, and an unchanged run stages nothing new.
public struct WorkflowBundle: Sendable, Equatable {
    /// The WDL's `oss://` location: staged here, or the manifest's own `oss://` URL.
    public var workflow: String
    public var inputs: String?
    public var options: String?
    /// What bcapply writes before it submits the run (content-addressed: writing again is harmless).
    public var staged: [StagedObject]
    /// What the plan warns of: runtime keys nobody knows, Google's keys, checks skipped.
    public var notes: [String] = []
    /// The WDL workflow's name, when miniwdl read it: the runner's metadata is named after it.
    public var workflowName: String?

    public init(workflow: String, inputs: String?, options: String?, staged: [StagedObject]) {
        self.workflow = workflow
        self.inputs = inputs
        self.options = options
        self.staged = staged
    }
}

/// One object bcapply puts on OSS before it submits a run.
public struct StagedObject: Sendable, Equatable, Codable {
    public var url: String
    public var bytes: [UInt8]

    public init(url: String, bytes: [UInt8]) {
        self.url = url
        self.bytes = bytes
    }
}

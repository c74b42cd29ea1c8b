import BCAPI
import BCModel

/// Turns a validated manifest into what must exist in the API. Kinds whose lowering is not
/// built yet are reported, never silently skipped.
public enum Lowering {
    public struct Unsupported: Error, Sendable, CustomStringConvertible {
        public var address: ResourceAddress
        public var description: String {
            "bcplan cannot plan \(address.kind.rawValue) manifests yet; bcplan validate checks them"
        }
    }

    /// What lowering one manifest may need beyond itself: a RenderJob's project, a
    /// WorkflowRun's sources (read from the files beside its manifest, `WorkflowSources`).
    public struct Context: Sendable {
        public var projects: [String: RenderProjectSpec] = [:]
        public var workflows: [String: Result<WorkflowBundle, WorkflowSources.Problems>] = [:]
        public init(projects: [String: RenderProjectSpec] = [:], workflows: [String: Result<WorkflowBundle, WorkflowSources.Problems>] = [:]) {
            self.projects = projects
            self.workflows = workflows
        }
        public init(_ manifests: [Manifest]) {
            for m in manifests { if let p = m.spec as? RenderProjectSpec { projects[m.metadata.name] = p } }
        }
    }

    public struct MissingProject: Error, Sendable, CustomStringConvertible {
        public var project: String
        public var description: String { "RenderProject \"\(project)\" is not defined" }
    }

    public static func lower(_ manifest: Manifest, context: Context = Context()) throws -> DesiredResource {
        let address = ResourceAddress(kind: manifest.kind, name: manifest.metadata.name)
        let name = manifest.metadata.name
        var fields: [DesiredField] = []
        let fixed: [String: JSONValue]
        var dependencies = Set<ResourceAddress>()
        var rerun: String?
        var summary: String?
        var staged: [StagedObject] = []
        var notes: [String] = []
        var metadata: String?
        switch manifest.spec {
        case let app as AppSpec:
            fields = AppLowering.lower(app, name: name)
            fixed = Self.fixed(Self.app, name: name)
        case let cluster as ClusterSpec:
            fields = ClusterLowering.lower(cluster)
            fixed = Self.fixed(Self.cluster, name: name)
        case let sge as SGEClusterSpec:
            fields = SGEClusterLowering.lower(sge)
            fixed = SGEClusterLowering.fixed(sge, name: name)
        case let job as JobSpec:
            (fields, dependencies) = JobLowering.lower(job)
            fixed = Self.fixed(job.app == nil ? Self.dagJob : Self.appJob, name: name)
            rerun = job.rerun
        case let project as RenderProjectSpec:
            fields = RenderProjectLowering.lower(project)
            fixed = Self.fixed(Self.app, name: name)
        case let job as RenderJobSpec:
            guard let project = context.projects[job.project] else { throw MissingProject(project: job.project) }
            let lowered = RenderJobLowering.lower(job, name: name, project: project)
            (fields, dependencies, summary) = (lowered.fields, lowered.dependencies, lowered.summary)
            fixed = lowered.fixed
            rerun = job.rerun
        case let run as WorkflowRunSpec:
            guard let sources = context.workflows[name] else { throw Unsupported(address: address) }
            let bundle = try sources.get()
            let lowered = WorkflowRunLowering.lower(run, name: name, bundle: bundle)
            (fields, dependencies, summary) = (lowered.fields, lowered.dependencies, lowered.summary)
            fixed = Lowering.fixed(WorkflowRunLowering.fixed, name: name)
            rerun = run.rerun
            staged = bundle.staged
            notes = bundle.notes.map { "\(address): \($0)" }
            metadata = bundle.workflowName.map { run.outputsDir + $0 + "." }
        default:
            throw Unsupported(address: address)
        }
        // In path order: spec hashes stream over the fields without sorting them each time.
        // Byte order: String's `<` compares Unicode canonical forms, several times slower.
        fields.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        let isRun = manifest.kind.isRun
        let plain = FieldHasher.specHash(fields, secret: { _ in nil }, reference: { isRun ? "ref:\($0)" : nil })
        return DesiredResource(address: address, collection: .of(manifest.kind), name: name, fields: fields, fixed: fixed,
                               dependencies: dependencies, userLabels: manifest.metadata.labels ?? [:], rerunToken: rerun,
                               plainSpecHash: plain, runSummary: summary, staged: staged, notes: notes,
                               runMetadataPrefix: metadata)
    }

    // MARK: The parts of a body that are not the user's settings

    /// What every App and Cluster body holds besides its fields: its name.
    static let app = parts(AppDescription(name: ""))
    static let cluster = parts(ClusterDescription(name: ""))
    /// BatchCompute requires these of a job; the manifest's values, when set, are written over them.
    static let dagJob = parts(JobDescription(name: "", type: .dag, priority: 1, jobFailOnInstanceFail: true, autoRelease: false))
    static let appJob = parts(JobDescription(name: "", type: .app, priority: 1, jobFailOnInstanceFail: true, autoRelease: false))

    /// A description's fixed parts as JSON: converted once, when first used, not once per
    /// manifest (lowering runs 10,000 times a plan, beside the manifests' parsing).
    static func parts<Description: Encodable>(_ description: Description) -> [String: JSONValue] {
        JSONValue(encoding: description).objectValue ?? [:]
    }

    /// Fixed parts with the manifest's name.
    static func fixed(_ parts: [String: JSONValue], name: String) -> [String: JSONValue] {
        var named = parts
        named[nameKey] = .string(name)
        return named
    }

    /// `Name`, spelled alike in the three descriptions (a test holds them to it).
    static let nameKey = JobDescription.Field.name.rawValue
}

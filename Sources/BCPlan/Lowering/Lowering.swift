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

    /// What lowering one manifest may need of the others: a RenderJob's project.
    public struct Context: Sendable {
        public var projects: [String: RenderProjectSpec] = [:]
        public init(projects: [String: RenderProjectSpec] = [:]) { self.projects = projects }
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
        var fixed: [String: JSONValue] = ["Name": .string(name)]
        var dependencies = Set<ResourceAddress>()
        var rerun: String?
        var summary: String?
        switch manifest.spec {
        case let app as AppSpec:
            fields = AppLowering.lower(app, name: name)
        case let cluster as ClusterSpec:
            fields = ClusterLowering.lower(cluster)
        case let job as JobSpec:
            (fields, dependencies) = JobLowering.lower(job)
            // BatchCompute requires these; the manifest's values, when set, are written over them.
            fixed["Type"] = .string(job.app == nil ? "DAG" : "App")
            fixed["Priority"] = .integer(1)
            fixed["JobFailOnInstanceFail"] = .bool(true)
            fixed["AutoRelease"] = .bool(false)
            rerun = job.rerun
        case let project as RenderProjectSpec:
            fields = RenderProjectLowering.lower(project)
        case let job as RenderJobSpec:
            guard let project = context.projects[job.project] else { throw MissingProject(project: job.project) }
            let lowered = RenderJobLowering.lower(job, name: name, project: project)
            (fields, dependencies, summary) = (lowered.fields, lowered.dependencies, lowered.summary)
            fixed.merge(lowered.fixed) { _, new in new }
            rerun = job.rerun
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
                               plainSpecHash: plain, runSummary: summary)
    }
}

/// The kinds of bcops manifests (apiVersion `bcops.io/v1`).
public enum Kind: String, CaseIterable, Sendable, Hashable, Comparable {
    case App, Cluster, SGECluster, RenderProject, RenderJob, WorkflowRun, Job

    public static let apiVersion = "bcops.io/v1"

    /// The Swift type of the kind's `spec`.
    public var specType: any ResourceSpec.Type {
        switch self {
        case .App: AppSpec.self
        case .Cluster: ClusterSpec.self
        case .SGECluster: SGEClusterSpec.self
        case .RenderProject: RenderProjectSpec.self
        case .RenderJob: RenderJobSpec.self
        case .WorkflowRun: WorkflowRunSpec.self
        case .Job: JobSpec.self
        }
    }

    /// Run kinds run to completion and are never updated in place.
    public var isRun: Bool { self == .RenderJob || self == .WorkflowRun || self == .Job }

    /// Declaration order (resources before the runs that use them).
    var rank: Int {
        switch self {
        case .App: 0
        case .Cluster: 1
        case .SGECluster: 2
        case .RenderProject: 3
        case .RenderJob: 4
        case .WorkflowRun: 5
        case .Job: 6
        }
    }

    public static func < (a: Kind, b: Kind) -> Bool { a.rank < b.rank }
}

/// What every spec type provides: decoding, its kind and its own rules.
public protocol ResourceSpec: Codable, Sendable, SchemaDocumented {
    static var kind: Kind { get }
    /// Rules that need only this one manifest. Cross-manifest rules (references,
    /// uniqueness) live in `ManifestSetValidator`.
    func validate(in context: ValidationContext, into sink: inout DiagnosticSink)
}

public struct Metadata: Codable, Equatable, Sendable, SchemaDocumented {
    public var name: String
    public var labels: [String: String]?

    public init(name: String, labels: [String: String]? = nil) { self.name = name; self.labels = labels }

    public static let typeDescription = "Identity of the object."
    public static let fieldDocs: [String: FieldDoc] = [
        "name": FieldDoc("Unique per kind: letters, digits, _ and -, not starting with a digit, at most 63 characters.",
                         pattern: Names.pattern),
        "labels": FieldDoc("Free key/value labels, copied to the live object."),
    ]
}

/// One decoded manifest: envelope plus a typed spec.
public struct Manifest: Sendable {
    public var kind: Kind
    public var metadata: Metadata
    public var spec: any ResourceSpec

    public init(kind: Kind, metadata: Metadata, spec: any ResourceSpec) {
        self.kind = kind; self.metadata = metadata; self.spec = spec
    }

    /// `Kind/name`, the address used in diagnostics and plans.
    public var address: String { "\(kind.rawValue)/\(metadata.name)" }
}

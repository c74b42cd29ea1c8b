import BCModel

/// How a field may change on a live object that already exists.
public enum UpdateRule: String, Codable, Sendable {
    /// The API modifies it on the live object.
    case inPlace
    /// The object must be deleted and created again (`# forces replacement`).
    case replace
    /// A run kind: a new run is submitted (`will re-run because FIELD changed`).
    case rerun
}

/// A manifest value in API terms: written as is, read from a secret source at apply time,
/// or the live ID of another resource (known once that resource exists).
public enum FieldValue: Sendable, Equatable, Codable {
    case value(JSONValue)
    // Boxed: unboxed, its two strings made every field 16 bytes bigger.
    indirect case secret(SecretSource)
    case reference(ResourceAddress)

    public var isSensitive: Bool { if case .secret = self { return true } else { return false } }
}

/// How the desired value is compared with the live object.
public enum Comparison: String, Codable, Sendable {
    /// The value at `apiPath` equals the desired value.
    case equal
    /// The keys of the object at `apiPath` are the desired array of names (a cluster's group set).
    case keys
}

/// One field a manifest sets: where users wrote it, where the API keeps it, and what
/// changing it does.
public struct DesiredField: Sendable, Codable, Equatable {
    /// The manifest path users know, e.g. `groups.default.desiredCount`.
    public var path: String
    /// Where the API keeps it, e.g. `["Groups", "default", "DesiredVMCount"]`.
    public var apiPath: [String]
    public var value: FieldValue
    public var rule: UpdateRule
    public var comparison: Comparison

    public init(path: String, apiPath: [String], value: FieldValue, rule: UpdateRule, comparison: Comparison = .equal) {
        self.path = path
        self.apiPath = apiPath
        self.value = value
        self.rule = rule
        self.comparison = comparison
    }
}

/// What one manifest wants to exist, in API terms. Free of I/O: secrets and references stay
/// unresolved until apply.
public struct DesiredResource: Sendable {
    public var address: ResourceAddress
    public var collection: LiveCollection
    /// The API `Name` (apps are identified by it; clusters and jobs by labels).
    public var name: String
    public var fields: [DesiredField]
    /// Body parts that are not the user's settings (`Type: DAG`, defaults), written on create.
    public var fixed: [String: JSONValue]
    public var dependencies: Set<ResourceAddress>
    public var userLabels: [String: String]
    /// Run kinds: the `rerun:` token; a new token submits a new run.
    public var rerunToken: String?
    /// The spec hash, when it depends on nothing but the manifest (no secrets, no live IDs):
    /// computed once, at lowering, on the lowering thread.
    public var plainSpecHash: String?
    /// Run kinds: what a run does, in the plan's words (`frames 1-250 on 4 nodes`).
    public var runSummary: String?
    /// Objects bcapply writes to OSS before it submits the run (a WorkflowRun's WDL, inputs
    /// and options, named by their content).
    public var staged: [StagedObject] = []
    /// Warnings lowering found (a WorkflowRun's unknown runtime keys), said with the plan's.
    public var notes: [String] = []
    /// A WorkflowRun's metadata on OSS without the run id: `<outputsDir><workflow>.`; the
    /// runner writes `<prefix><run id>.metadata.json`, with the run's progress.
    public var runMetadataPrefix: String?

    public var isRun: Bool { address.kind.isRun }
}

/// Collects fields while a manifest is lowered, so that each value is written once with its
/// manifest path, its API path and its update rule together.
struct FieldRecorder {
    var fields: [DesiredField]
    let defaultRule: UpdateRule

    /// - Parameter capacity: room for the fields a manifest of the kind usually sets, instead
    ///   of growing 1, 2, 4, 8, 16.
    init(defaultRule: UpdateRule, capacity: Int = 8) {
        self.defaultRule = defaultRule
        fields = []
        fields.reserveCapacity(capacity)
    }

    // The paths are made only for values that are set: most optional settings are not, and
    // building their paths (`groups.\(g).spotPriceLimit`, `["Groups", g, …]`) was most of
    // lowering's allocations.
    mutating func set(_ path: @autoclosure () -> String, _ api: @autoclosure () -> [String], _ value: JSONValue?, rule: UpdateRule? = nil) {
        guard let value else { return }
        fields.append(DesiredField(path: path(), apiPath: api(), value: .value(value), rule: rule ?? defaultRule))
    }

    mutating func set(_ path: @autoclosure () -> String, _ api: @autoclosure () -> [String], _ s: String?, rule: UpdateRule? = nil) {
        set(path(), api(), s.map(JSONValue.string), rule: rule)
    }
    mutating func set(_ path: @autoclosure () -> String, _ api: @autoclosure () -> [String], _ i: Int?, rule: UpdateRule? = nil) {
        set(path(), api(), i.map(JSONValue.integer), rule: rule)
    }
    mutating func set(_ path: @autoclosure () -> String, _ api: @autoclosure () -> [String], _ b: Bool?, rule: UpdateRule? = nil) {
        set(path(), api(), b.map(JSONValue.bool), rule: rule)
    }
    mutating func set(_ path: @autoclosure () -> String, _ api: @autoclosure () -> [String], _ d: Double?, rule: UpdateRule? = nil) {
        set(path(), api(), d.map(JSONValue.number), rule: rule)
    }

    /// An environment-like map: literal values as strings, secret values as references.
    mutating func env(_ path: String, _ api: [String], _ values: [String: EnvValue]?, rule: UpdateRule? = nil) {
        for (key, v) in (values ?? [:]).sorted(by: { $0.key < $1.key }) {
            switch v {
            case .literal(let s): set("\(path).\(key)", api + [key], s, rule: rule)
            case .secret(let source):
                fields.append(DesiredField(path: "\(path).\(key)", apiPath: api + [key], value: .secret(source), rule: rule ?? defaultRule))
            }
        }
    }

    mutating func reference(_ path: String, _ api: [String], _ target: ResourceAddress, rule: UpdateRule? = nil) {
        fields.append(DesiredField(path: path, apiPath: api, value: .reference(target), rule: rule ?? defaultRule))
    }

    /// A cluster a manifest names: a `cls-…` id as it is, a Cluster manifest's name as a
    /// reference to that cluster's live id, which is then a dependency of the resource.
    mutating func cluster(_ path: String, _ api: [String], _ name: String, dependencies: inout Set<ResourceAddress>) {
        if let target = APIShapes.clusterReference(name) {
            reference(path, api, target)
            dependencies.insert(target)
        } else {
            set(path, api, name)
        }
    }

    mutating func keys(_ path: String, _ api: [String], _ names: [String], rule: UpdateRule) {
        fields.append(DesiredField(path: path, apiPath: api, value: .value(.array(names.sorted().map(JSONValue.string))), rule: rule, comparison: .keys))
    }
}

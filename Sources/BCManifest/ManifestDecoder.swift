import BCModel

/// Turns one YAML document into a typed manifest, reporting structural problems
/// (types, unknown and missing fields) and then the kind's own rules.
public enum ManifestDecoder {
    public static let topLevelKeys = ["apiVersion", "kind", "metadata", "spec"]

    public struct Result {
        public var manifest: Manifest?
        public var diagnostics: [Diagnostic]
        /// `Kind/name` when known, even if the manifest did not decode.
        public var address: String?
        /// Fields whose structure was wrong; placeholders stand in for them in `manifest`.
        public var structuralProblems: [FieldPath] = []
    }

    /// How typed values are read: straight from nodes (fast, the default) or through
    /// `Decodable` (the reference the fast path is tested against).
    public enum Reading: Sendable { case direct, codable }

    public static func decode(_ root: YAMLNode, file: String, context: ValidationContext, reading: Reading = .direct) -> Result {
        var diagnostics: [Diagnostic] = []
        func problem(_ node: YAMLNode, _ field: FieldPath?, _ message: String, address: String? = nil) {
            diagnostics.append(Diagnostic(file: file, mark: node.start, address: address, field: field, message: message))
        }
        guard let pairs = root.pairs else {
            problem(root, nil, "a manifest must be a mapping with apiVersion, kind, metadata and spec; got \(root.kindDescription)")
            return Result(manifest: nil, diagnostics: diagnostics)
        }
        for pair in pairs {
            if let key = pair.key.scalar, !topLevelKeys.contains(key) {
                problem(pair.key, FieldPath([.key(key)]), "unknown field \"\(key)\"\(Suggestions.hint(for: key, in: topLevelKeys))")
            }
        }
        let name = root["metadata"]?["name"]?.scalar
        let kindNode = root["kind"]
        let kind = kindNode?.scalar.flatMap(Kind.init(rawValue:))
        let address = kind.map { "\($0.rawValue)/\(name ?? "?")" } ?? kindNode?.scalar.map { "\($0)/\(name ?? "?")" }

        switch root["apiVersion"] {
        case nil: problem(root, "apiVersion", "required field \"apiVersion\" is missing (use \(Kind.apiVersion))", address: address)
        case let v? where v.scalar != Kind.apiVersion:
            problem(v, "apiVersion", "apiVersion \(v.kindDescription) is not supported; use \(Kind.apiVersion)", address: address)
        default: break
        }
        guard let kindNode else {
            problem(root, "kind", "required field \"kind\" is missing (one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            return Result(manifest: nil, diagnostics: diagnostics, address: nil)
        }
        guard let kind else {
            let text = kindNode.scalar ?? ""
            problem(kindNode, "kind", "unknown kind \(kindNode.kindDescription) (kinds are \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))\(Suggestions.hint(for: text, in: Kind.allCases.map(\.rawValue)))")
            return Result(manifest: nil, diagnostics: diagnostics, address: nil)
        }

        let report = DecodingReport()
        let metadataNode = root["metadata"]
        var metadata: Metadata?
        if let metadataNode {
            metadata = reading == .direct
                ? Metadata.read(metadataNode, at: PathRef(parent: nil, .key("metadata")), report: report)
                : NodeDecoding.decode(Metadata.self, from: metadataNode, at: PathLink.key(nil, "metadata"), report: report)
        } else {
            report.add(PathLink.key(nil, "metadata"), root.start, "required field \"metadata\" is missing")
        }
        var spec: (any ResourceSpec)?
        if let specNode = root["spec"], !specNode.isNull {
            spec = reading == .direct ? readSpec(kind, from: specNode, report: report)
                                      : decodeSpec(kind.specType, from: specNode, report: report)
        } else {
            report.add(PathLink.key(nil, "spec"), root["spec"]?.start ?? root.start, "required field \"spec\" is missing")
        }

        var sink = DiagnosticSink()
        if let metadata { Rules.name(metadata.name, at: "metadata.name", into: &sink) }
        if let spec { spec.validate(in: context, into: &sink) }
        let structural = report.problems.map(\.path)
        for p in report.problems {
            diagnostics.append(Diagnostic(file: file, mark: p.mark, address: address, field: p.path, message: p.message))
        }
        for d in sink.diagnostics where !structural.contains(where: { d.path.hasPrefix($0) }) {
            diagnostics.append(Diagnostic(file: file, mark: root.mark(for: d), address: address, field: d.path, message: d.message))
        }
        let manifest: Manifest? = if let metadata, let spec {
            Manifest(kind: kind, metadata: metadata, spec: spec)
        } else { nil }
        return Result(manifest: manifest, diagnostics: diagnostics, address: address, structuralProblems: structural)
    }

    private static func readSpec(_ kind: Kind, from node: YAMLNode, report: DecodingReport) -> (any ResourceSpec)? {
        let at = PathRef(parent: nil, .key("spec"))
        switch kind {
        case .App: return AppSpec.read(node, at: at, report: report)
        case .Cluster: return ClusterSpec.read(node, at: at, report: report)
        case .SGECluster: return SGEClusterSpec.read(node, at: at, report: report)
        case .RenderProject: return RenderProjectSpec.read(node, at: at, report: report)
        case .RenderJob: return RenderJobSpec.read(node, at: at, report: report)
        case .WorkflowRun: return WorkflowRunSpec.read(node, at: at, report: report)
        case .Job: return JobSpec.read(node, at: at, report: report)
        }
    }

    private static func decodeSpec<S: ResourceSpec>(_ type: S.Type, from node: YAMLNode, report: DecodingReport) -> (any ResourceSpec)? {
        NodeDecoding.decode(S.self, from: node, at: PathLink.key(nil, "spec"), report: report)
    }
}

extension FieldPath {
    func hasPrefix(_ other: FieldPath) -> Bool {
        components.count >= other.components.count && Array(components.prefix(other.components.count)) == other.components
    }
}

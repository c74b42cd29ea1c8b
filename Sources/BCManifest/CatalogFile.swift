import BCModel

/// A team's own instance types, in YAML:
///
/// ```yaml
/// instanceTypes:
///   - {name: ecs.g6.large, cpu: 2, memoryGiB: 8}
/// ```
public struct CatalogFile: Codable, Sendable {
    public var instanceTypes: [InstanceType]

    /// The conventional location inside a manifests directory.
    public static let conventionalPath = ".bcops/instance-types.yaml"

    /// Decodes a catalog, reporting problems like any manifest.
    public static func load(bytes: [UInt8], file: String) -> (types: [InstanceType], diagnostics: [Diagnostic]) {
        if let p = SourceFile.encodingProblem(bytes) { return ([], [Diagnostic(file: file, mark: p.mark, message: p.message)]) }
        let composer = YAMLComposer(bytes: bytes)
        do {
            guard let doc = try composer.nextDocument() else {
                return ([], [Diagnostic(file: file, mark: nil, message: "catalog file is empty")])
            }
            let report = DecodingReport()
            let catalog = CatalogFile.read(doc.root, at: PathRef(nil), report: report)
            var diagnostics = report.problems.map { Diagnostic(file: file, mark: $0.mark, field: $0.path, message: $0.message) }
            let broken = report.problems.map(\.path)
            for (i, t) in (catalog?.instanceTypes ?? []).enumerated() {
                let path = FieldPath("instanceTypes").appending(index: i)
                // Placeholders stand in for fields that did not decode; do not range-check them.
                if broken.contains(where: { $0.hasPrefix(path) }) { continue }
                if t.cpu < 1 { diagnostics.append(Diagnostic(file: file, mark: doc.root.locate(path / "cpu").start, field: path / "cpu", message: "cpu must be ≥ 1")) }
                if !(t.memoryGiB > 0) { diagnostics.append(Diagnostic(file: file, mark: doc.root.locate(path / "memoryGiB").start, field: path / "memoryGiB", message: "memoryGiB must be > 0")) }
            }
            return (diagnostics.isEmpty ? catalog?.instanceTypes ?? [] : [], diagnostics.sorted())
        } catch {
            return ([], [Diagnostic(file: file, mark: error.mark, message: error.message)])
        }
    }
}

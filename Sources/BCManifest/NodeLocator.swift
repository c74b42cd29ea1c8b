import BCModel

extension YAMLNode {
    /// The node a field path points at, or the closest ancestor that exists, so that a
    /// rule's problem lands on the line the user has to change.
    /// Where a diagnostic belongs: the key itself for problems with a key, else the value.
    public func mark(for diagnostic: ModelDiagnostic) -> SourceMark {
        guard diagnostic.atKey, case .key(let k)? = diagnostic.path.components.last, let parent = diagnostic.path.parent,
              let pair = locate(parent).pairs?.first(where: { $0.key.scalar == k }) else {
            return locate(diagnostic.path).start
        }
        return pair.key.start
    }

    public func locate(_ path: FieldPath) -> YAMLNode {
        var node = self
        for component in path.components {
            switch (component, node.content) {
            case (.key(let k), .mapping(let pairs)):
                guard let v = pairs.first(where: { $0.key.scalar == k })?.value else { return node }
                node = v
            case (.index(let i), .sequence(let items)):
                guard items.indices.contains(i) else { return node }
                node = items[i]
            default:
                return node
            }
        }
        return node
    }
}

/// What rules may consult beyond the manifest itself.
public struct ValidationContext: Sendable {
    public var catalog: InstanceTypeCatalog

    public init(catalog: InstanceTypeCatalog = .builtIn) { self.catalog = catalog }
}

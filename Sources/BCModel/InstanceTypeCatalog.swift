/// An instance type: name, vCPUs and memory.
public struct InstanceType: Codable, Hashable, Sendable {
    public var name: String
    public var cpu: Int
    public var memoryGiB: Double

    public init(name: String, cpu: Int, memoryGiB: Double) {
        self.name = name; self.cpu = cpu; self.memoryGiB = memoryGiB
    }
}

/// The instance types manifests may name. Capacity (slots = vCPUs × nodes) comes from here.
///
/// The built-in list holds the types the seed documents and the BatchCompute reference use;
/// teams add their own with a catalog file (`-catalog FILE` or `.bcops/instance-types.yaml`).
public struct InstanceTypeCatalog: Sendable {
    public private(set) var types: [String: InstanceType]

    public init(_ types: [InstanceType]) {
        self.types = Dictionary(types.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    public subscript(name: String) -> InstanceType? { types[name] }

    /// Later entries win, so a user catalog can correct a built-in type.
    public func merging(_ extra: [InstanceType]) -> InstanceTypeCatalog {
        var copy = self
        for t in extra { copy.types[t.name] = t }
        return copy
    }

    public var names: [String] { types.keys.sorted() }

    public static let builtIn = InstanceTypeCatalog([
        // batchcompute-cli's built-in list (IT_MAP).
        .init(name: "bcs.a2.large", cpu: 4, memoryGiB: 8),
        .init(name: "bcs.a2.xlarge", cpu: 8, memoryGiB: 16),
        .init(name: "bcs.a2.3xlarge", cpu: 16, memoryGiB: 32),
        .init(name: "bcs.a2.4xlarge", cpu: 20, memoryGiB: 40),
        .init(name: "bcs.b2.3xlarge", cpu: 16, memoryGiB: 32),
        .init(name: "bcs.b4.xlarge", cpu: 8, memoryGiB: 32),
        .init(name: "bcs.b4.3xlarge", cpu: 16, memoryGiB: 64),
        .init(name: "bcs.b4.4xlarge", cpu: 20, memoryGiB: 80),
        .init(name: "bcs.b4.5xlarge", cpu: 24, memoryGiB: 96),
        // Legacy types from batchcompute-sge and the Render Manager pages.
        .init(name: "ecs.t1.small", cpu: 1, memoryGiB: 1),
        .init(name: "ecs.s2.small", cpu: 2, memoryGiB: 2),
        .init(name: "ecs.s3.large", cpu: 4, memoryGiB: 8),
        .init(name: "ecs.m1.medium", cpu: 4, memoryGiB: 16),
        .init(name: "ecs.m2.medium", cpu: 4, memoryGiB: 32),
        .init(name: "ecs.c1.large", cpu: 8, memoryGiB: 16),
        .init(name: "ecs.m1.xlarge", cpu: 8, memoryGiB: 32),
        .init(name: "ecs.m2.xlarge", cpu: 8, memoryGiB: 64),
        .init(name: "ecs.c2.medium", cpu: 16, memoryGiB: 16),
        .init(name: "ecs.c2.large", cpu: 16, memoryGiB: 32),
        .init(name: "ecs.c2.xlarge", cpu: 16, memoryGiB: 64),
        // Types used by the GATK, SGE, Docker App and Blender App examples.
        .init(name: "ecs.sn1.medium", cpu: 2, memoryGiB: 4),
        .init(name: "ecs.sn1.large", cpu: 4, memoryGiB: 8),
        .init(name: "ecs.sn1.xlarge", cpu: 8, memoryGiB: 16),
        .init(name: "ecs.sn1.3xlarge", cpu: 16, memoryGiB: 32),
        .init(name: "ecs.sn1.7xlarge", cpu: 32, memoryGiB: 64),
        .init(name: "ecs.sn1ne.large", cpu: 2, memoryGiB: 4),
        .init(name: "ecs.sn1ne.xlarge", cpu: 4, memoryGiB: 8),
        .init(name: "ecs.sn1ne.2xlarge", cpu: 8, memoryGiB: 16),
        .init(name: "ecs.sn1ne.4xlarge", cpu: 16, memoryGiB: 32),
        .init(name: "ecs.sn1ne.8xlarge", cpu: 32, memoryGiB: 64),
        .init(name: "ecs.sn2.medium", cpu: 2, memoryGiB: 8),
        .init(name: "ecs.sn2.large", cpu: 4, memoryGiB: 16),
        .init(name: "ecs.sn2.xlarge", cpu: 8, memoryGiB: 32),
        .init(name: "ecs.sn2ne.large", cpu: 2, memoryGiB: 8),
        .init(name: "ecs.sn2ne.xlarge", cpu: 4, memoryGiB: 16),
        .init(name: "ecs.sn2ne.2xlarge", cpu: 8, memoryGiB: 32),
    ])
}

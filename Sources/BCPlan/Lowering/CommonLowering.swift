import BCModel

/// API shapes shared by several kinds (disks, mounts, networks, notifications, images).
enum APIShapes {
    static func object(_ pairs: [(String, JSONValue?)]) -> JSONValue? {
        var o: [String: JSONValue] = [:]
        for (k, v) in pairs { if let v { o[k] = v } }
        return o.isEmpty ? nil : .object(o)
    }

    static func string(_ s: String?) -> JSONValue? { s.map(JSONValue.string) }
    static func int(_ i: Int?) -> JSONValue? { i.map(JSONValue.integer) }
    static func bool(_ b: Bool?) -> JSONValue? { b.map(JSONValue.bool) }

    static func disk(_ d: Disk?) -> JSONValue? {
        guard let d else { return nil }
        return object([("Type", string(d.type?.rawValue)), ("Size", int(d.size)), ("MountPoint", string(d.mountPoint))])
    }

    static func disks(_ d: Disks?) -> JSONValue? {
        guard let d else { return nil }
        return object([("SystemDisk", disk(d.systemDisk)), ("DataDisk", disk(d.dataDisk))])
    }

    static func mountEntries(_ entries: [MountEntry]?) -> JSONValue? {
        guard let entries else { return nil }
        return .array(entries.map { e in
            object([("Source", .string(e.source)), ("Destination", .string(e.destination)), ("WriteSupport", bool(e.writeSupport))])!
        })
    }

    static func mounts(_ m: Mounts?) -> JSONValue? {
        guard let m else { return nil }
        return object([("Entries", mountEntries(m.entries)), ("Locale", string(m.locale)), ("Lock", bool(m.lock)),
                       ("CacheSupport", bool(m.cacheSupport))])
    }

    static func vpc(_ v: VPC?) -> JSONValue? {
        guard let v else { return nil }
        return object([("VPC", object([("VpcId", string(v.vpcId)), ("CidrBlock", string(v.cidrBlock ?? v.vpcCidrBlock))]))])
    }

    static func notification(_ n: Notification?) -> JSONValue? {
        guard let n else { return nil }
        return object([("Topic", object([("Name", .string(n.topic.name)), ("Endpoint", string(n.topic.endpoint)),
                                         ("Events", n.topic.events.map { .array($0.map(JSONValue.string)) })]))])
    }

    static func docker(_ d: DockerImage?) -> JSONValue? {
        guard let d else { return nil }
        return object([("Image", .string(d.image)), ("RegistryOSSPath", string(d.registryOSSPath))])
    }

    static func stringMap(_ m: [String: String]?) -> JSONValue? {
        m.map { .object($0.mapValues(JSONValue.string)) }
    }

    /// A cluster reference: an existing `cls-…` ID as written, else a Cluster manifest's name.
    static func clusterReference(_ name: String) -> ResourceAddress? {
        name.hasPrefix("cls-") ? nil : ResourceAddress(kind: .Cluster, name: name)
    }

    static func autoCluster(_ a: AutoClusterSpec) -> JSONValue {
        object([
            ("InstanceType", .string(a.instanceType)), ("ECSImageId", string(a.imageId)), ("ResourceType", string(a.resourceType?.rawValue)),
            ("SpotStrategy", string(a.spotStrategy?.rawValue)), ("SpotPriceLimit", a.spotPriceLimit.map(JSONValue.number)),
            ("Configs", object([("Disks", disks(a.disks)), ("Networks", vpc(a.vpc))])),
            ("ReserveOnFail", bool(a.reserveOnFail)),
        ]) ?? .object([:])
    }
}

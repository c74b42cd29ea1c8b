import BCAPI
import BCModel

/// API shapes shared by several kinds (disks, mounts, networks, notifications, images), built
/// as the contract types them (`Wire`) and converted once to the JSON a field holds. A shape
/// with nothing set is nil, at every level: the fields, their hashes and the plans have never
/// carried empty objects, and a plan must not change when a manifest is planned again.
enum APIShapes {
    /// The JSON a field holds: `value` as the contract writes it.
    static func json<T: Encodable>(_ value: T?) -> JSONValue? { value.map { JSONValue(encoding: $0) } }

    static func disk(_ d: Disk?) -> Wire.Disk? {
        guard let d else { return nil }
        return Wire.Disk(type: d.type?.rawValue, size: d.size, mountPoint: d.mountPoint).nonEmpty
    }

    static func disks(_ d: Disks?) -> Wire.Disks? {
        guard let d else { return nil }
        return Wire.Disks(systemDisk: disk(d.systemDisk), dataDisk: disk(d.dataDisk)).nonEmpty
    }

    static func mounts(_ m: Mounts?) -> Wire.Mounts? {
        guard let m else { return nil }
        let entries = m.entries?.map { Wire.MountEntry(source: $0.source, destination: $0.destination, writeSupport: $0.writeSupport) }
        return Wire.Mounts(entries: entries, locale: m.locale, lock: m.lock, cacheSupport: m.cacheSupport).nonEmpty
    }

    static func networks(_ v: VPC?) -> Wire.Networks? {
        guard let v else { return nil }
        return Wire.Networks(vpc: Wire.VPC(vpcId: v.vpcId, cidrBlock: v.cidrBlock ?? v.vpcCidrBlock).nonEmpty).nonEmpty
    }

    static func notification(_ n: Notification?) -> Wire.Notification? {
        guard let n else { return nil }
        return Wire.Notification(topic: Wire.Topic(name: n.topic.name, endpoint: n.topic.endpoint, events: n.topic.events))
    }

    static func docker(_ d: DockerImage?) -> Wire.Docker? {
        d.map { Wire.Docker(image: $0.image, registryOSSPath: $0.registryOSSPath) }
    }

    static func autoCluster(_ a: AutoClusterSpec) -> Wire.AutoCluster {
        Wire.AutoCluster(instanceType: a.instanceType, ecsImageId: a.imageId, resourceType: a.resourceType?.rawValue,
                         spotStrategy: a.spotStrategy?.rawValue, spotPriceLimit: a.spotPriceLimit,
                         configs: Wire.Configs(disks: disks(a.disks), networks: networks(a.vpc)).nonEmpty, reserveOnFail: a.reserveOnFail)
    }

    /// A cluster reference: an existing `cls-…` ID as written, else a Cluster manifest's name.
    static func clusterReference(_ name: String) -> ResourceAddress? {
        name.hasPrefix("cls-") ? nil : ResourceAddress(kind: .Cluster, name: name)
    }
}

/// Parsers for the runtime-attribute strings of Cromwell's BatchCompute backend, which
/// WorkflowRun accepts unchanged so existing WDL `runtime` blocks keep working.
public enum CromwellRuntime {
    /// Where a call runs: an existing cluster, a Cluster manifest by name, or an auto cluster.
    public enum ClusterPlacement: Equatable, Sendable {
        case clusterId(String)
        case clusterName(String)
        case auto(AutoClusterSpec, clusterId: String?)
    }

    public static let clusterSyntaxHelp = "must be like 'cls-xxxx', a Cluster name, 'OnDemand ecs.sn1.medium img-ubuntu' or 'Spot ecs.sn1.medium img-ubuntu SpotWithPriceLimit 0.5'"

    /// Parses `cluster` as Cromwell does: anchored, single spaces, instance types `[be]cs…`, prices `[01].ddd`.
    public static func parseCluster(_ text: String) -> Result<ClusterPlacement, CromwellSyntaxError> {
        if text.isBlank { return .failure(.init(clusterSyntaxHelp)) }
        let u = text.utf8
        if u.first == 32 || u.last == 32 { return .failure(.init("has leading or trailing spaces; it \(clusterSyntaxHelp)")) }
        if u.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 }) {
            return .failure(.init("must not contain tabs or line breaks; it \(clusterSyntaxHelp)"))
        }
        let tokens = text.utf8.split(separator: 32, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if tokens.contains(where: \.isEmpty) { return .failure(.init("separate the words with single spaces; it \(clusterSyntaxHelp)")) }
        if tokens.count == 1 {
            if tokens[0].hasPrefix("cls-") { return .success(.clusterId(tokens[0])) }
            if Names.problem(with: tokens[0]) == nil { return .success(.clusterName(tokens[0])) }
            return .failure(.init(clusterSyntaxHelp))
        }
        var rest = tokens
        var clusterId: String?
        if let last = rest.last, last.hasPrefix("cls-") { clusterId = last; rest.removeLast() }
        var resource = ResourceType.OnDemand
        if let first = rest.first, let r = ResourceType(rawValue: first) { resource = r; rest.removeFirst() }
        guard rest.count == 2 || (resource == .Spot && rest.count == 4) else { return .failure(.init(clusterSyntaxHelp)) }
        let instanceType = rest[0], image = rest[1]
        guard isInstanceTypeToken(instanceType) else {
            return .failure(.init("\"\(instanceType)\" is not an instance type (ecs.… or bcs.…); it \(clusterSyntaxHelp)"))
        }
        var spec = AutoClusterSpec(instanceType: instanceType, imageId: image, resourceType: resource)
        if rest.count == 4 {
            guard let strategy = SpotStrategy(rawValue: rest[2]) else {
                return .failure(.init("\"\(rest[2])\" is not SpotWithPriceLimit or SpotAsPriceGo"))
            }
            guard isPriceToken(rest[3]), let price = Double(rest[3]) else {
                return .failure(.init("spot price \"\(rest[3])\" must look like 0.5 or 1.234 (0 or 1, a dot, 1–3 decimals)"))
            }
            spec.spotStrategy = strategy
            spec.spotPriceLimit = price
        }
        return .success(.auto(spec, clusterId: clusterId))
    }

    static func isInstanceTypeToken(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return u.count > 3 && (u[0] == UInt8(ascii: "b") || u[0] == UInt8(ascii: "e")) && u[1] == UInt8(ascii: "c") && u[2] == UInt8(ascii: "s")
    }

    static func isPriceToken(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 3, u.count <= 5, u[0] == UInt8(ascii: "0") || u[0] == UInt8(ascii: "1"), u[1] == UInt8(ascii: ".") else { return false }
        return u[2...].allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// A `mounts` entry: `"<remote> <local> <true|false>"` (input) or `"<local> <remote> <true|false>"` (output).
    public static func checkMount(_ text: String) -> CromwellSyntaxError? {
        let t = text.split(separator: " ").map(String.init)
        guard t.count == 3, t[2] == "true" || t[2] == "false" else {
            return .init("mount \"\(text)\" must be \"<oss://…|nas://…> </local/path> <true|false>\"")
        }
        let remoteFirst = Rules.mountSchemes.contains(where: t[0].hasPrefix)
        let (remote, local) = remoteFirst ? (t[0], t[1]) : (t[1], t[0])
        guard Rules.mountSchemes.contains(where: remote.hasPrefix) else {
            return .init("mount \"\(text)\" has no oss://, nas://, smb:// or lustre:// side")
        }
        guard local.hasPrefix("/") else { return .init("mount \"\(text)\": local path \"\(local)\" must start with /") }
        if remote.hasSuffix("/") != local.hasSuffix("/") {
            return .init("mount \"\(text)\": oss and local path type not match (both must end with / for a directory)")
        }
        return nil
    }

    /// `systemDisk: "<type> <GB>"`, `dataDisk: "<type> <GB> <mountPoint>"`.
    public static func checkDisk(_ text: String, data: Bool) -> CromwellSyntaxError? {
        let t = text.split(separator: " ").map(String.init)
        let want = data ? 3 : 2
        guard t.count == want, DiskType(rawValue: t[0]) != nil, let size = Int(t[1]) else {
            return .init(data ? "dataDisk \"\(text)\" must be \"<type> <GB> <mountPoint>\" such as \"cloud 250 /home/data/\""
                              : "systemDisk \"\(text)\" must be \"<type> <GB>\" such as \"cloud 50\"")
        }
        let range = data ? Rules.dataDiskRange : Rules.systemDiskRange
        if !range.contains(size) { return .init("disk size \(size) GB is out of range \(range.lowerBound)–\(range.upperBound) GB") }
        if data, !t[2].hasPrefix("/") { return .init("data disk mount point \"\(t[2])\" must start with /") }
        return nil
    }

    /// `vpc: "192.168.0.0/16 vpc-xxxx"`: a CIDR block and/or a VPC id.
    public static func checkVPC(_ text: String) -> CromwellSyntaxError? {
        let t = text.split(separator: " ").map(String.init)
        var found = false
        for token in t {
            if token.hasPrefix("vpc-") { found = true; continue }
            if let block = CIDRBlock(token) {
                if block.hasHostBits {
                    return .init("vpc \"\(text)\": \"\(token)\" has host bits set; did you mean \(CIDRBlock(address: block.address & block.mask, prefixLength: block.prefixLength))?")
                }
                found = true
                continue
            }
            return .init("vpc \"\(text)\": \"\(token)\" is neither a CIDR block nor a vpc- id")
        }
        return found ? nil : .init("vpc must hold a CIDR block and/or a vpc- id, such as \"192.168.0.0/16 vpc-xxxx\"")
    }
}

public struct CromwellSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Field rules shared by the kinds. Each appends to the sink and never stops early,
/// so a manifest's problems are all reported in one run.
public enum Rules {
    /// BatchCompute allows instance timeouts up to the quota; 7 days is the hard ceiling here.
    public static let timeoutRange = 1...604_800
    public static let priorityRange = 0...1000
    public static let systemDiskRange = 40...500
    public static let dataDiskRange = 5...2000

    public static func name(_ name: String, at path: @autoclosure () -> FieldPath, what: String = "name", maxLength: Int = 63,
                            isKey: Bool = false, into sink: inout DiagnosticSink) {
        guard let problem = Names.problem(with: name, what: what, maxLength: maxLength) else { return }
        if isKey { sink.errorAtKey(path(), problem) } else { sink.error(path(), problem) }
    }

    /// `oss://bucket/prefix/`: a directory prefix must end with `/`.
    public static func ossPrefix(_ value: String, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        guard ossURL(value, at: path(), into: &sink) else { return }
        if !value.hasSuffix("/") { sink.error(path(), "OSS prefix \"\(value)\" must end with \"/\"") }
    }

    /// `oss://bucket/key`; returns whether the shape was valid.
    @discardableResult
    public static func ossURL(_ value: String, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) -> Bool {
        guard value.hasPrefix("oss://") else {
            sink.error(path(), "\"\(value)\" is not an OSS location; expected oss://bucket/path")
            return false
        }
        let rest = value.utf8.dropFirst(6)
        let bucket = rest.prefix { $0 != UInt8(ascii: "/") }
        if bucket.isEmpty || !bucket.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 }) {
            sink.error(path(), "\"\(value)\" has no valid bucket name after oss://")
            return false
        }
        // OSS's own rule, which its clients (oss2, so bcs and the workflow runner) enforce too.
        let name = String(decoding: bucket, as: UTF8.self)
        let lowercase = bucket.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        if !(3...63).contains(bucket.count) || !lowercase || bucket.first == 45 || bucket.last == 45 {
            sink.error(path(), "bucket \"\(name)\" in \"\(value)\" is not an OSS bucket name: 3–63 lowercase letters, digits and hyphens, "
                       + "not starting or ending with a hyphen")
            return false
        }
        if value.hasSuffix("/..") || value.containsBytes("/../") {
            sink.error(path(), "\"\(value)\" must not contain \"..\" segments")
            return false
        }
        return true
    }

    public static let mountSchemes = ["oss://", "nas://", "smb://", "lustre://", "nasplus://"]

    public static func mountSource(_ value: String, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        if value.hasPrefix("oss://") {
            ossURL(value, at: path(), into: &sink)
        } else if !mountSchemes.contains(where: value.hasPrefix) {
            sink.error(path(), "mount source \"\(value)\" must start with oss:// or nas:// (also smb://, lustre://, nasplus://)")
        }
    }

    /// Linux images take absolute paths; Windows images take a drive letter (`G:`) or an absolute Windows path.
    public static func localPath(_ value: String, platform: Platform, at path: @autoclosure () -> FieldPath, what: String = "destination",
                                 allowDriveLetter: Bool = true, into sink: inout DiagnosticSink) {
        switch platform {
        case .Linux:
            if !value.hasPrefix("/") {
                if isDriveLetter(value) || isWindowsPath(value) {
                    sink.error(path(), "\(what) \"\(value)\" is a Windows path; set platform: Windows or use an absolute path such as /home/data/")
                } else {
                    sink.error(path(), "\(what) \"\(value)\" must be an absolute path (starting with /)")
                }
            } else if value.hasSuffix("/..") || value.containsBytes("/../") {
                sink.error(path(), "\(what) \"\(value)\" must not contain \"..\"")
            }
        case .Windows:
            if allowDriveLetter && isDriveLetter(value) { return }
            if !isWindowsPath(value) {
                sink.error(path(), allowDriveLetter
                    ? "\(what) \"\(value)\" must be a drive letter such as G: or an absolute path such as C:\\render_output\\ on a Windows image"
                    : "\(what) \"\(value)\" must be an absolute path such as C:\\render_output\\ on a Windows image")
            }
        }
    }

    public static func isDriveLetter(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return u.count == 2 && u[1] == UInt8(ascii: ":") && ((u[0] >= 65 && u[0] <= 90) || (u[0] >= 97 && u[0] <= 122))
    }

    public static func isWindowsPath(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return u.count >= 3 && isDriveLetter(String(decoding: u[0..<2], as: UTF8.self)) && (u[2] == UInt8(ascii: "\\") || u[2] == UInt8(ascii: "/"))
    }

    public static func instanceType(_ name: String, in context: ValidationContext, at path: @autoclosure () -> FieldPath,
                                    into sink: inout DiagnosticSink) {
        if context.catalog[name] == nil {
            sink.error(path(), "unknown instance type \"\(name)\"\(Suggestions.hint(for: name, in: context.catalog.names)) (add it to a catalog file with -catalog if it is new)")
        }
    }

    public static func timeout(_ seconds: Int, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        if !timeoutRange.contains(seconds) {
            sink.error(path(), "timeout \(seconds) s is out of range \(timeoutRange.lowerBound)–\(timeoutRange.upperBound) s")
        }
    }

    public static func priority(_ value: Int, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        if !priorityRange.contains(value) { sink.error(path(), "priority \(value) is out of range 0–1000") }
    }

    public static func nonNegative(_ value: Int, at path: @autoclosure () -> FieldPath, what: String, into sink: inout DiagnosticSink) {
        if value < 0 { sink.error(path(), "\(what) must be ≥ 0, got \(value)") }
    }

    public static func positive(_ value: Int, at path: @autoclosure () -> FieldPath, what: String, into sink: inout DiagnosticSink) {
        if value < 1 { sink.error(path(), "\(what) must be ≥ 1, got \(value)") }
    }

    /// Spot fields only make sense together: a strategy needs Spot, a price limit needs SpotWithPriceLimit,
    /// and the limit is a positive price with at most 3 decimals.
    public static func spot(resourceType: ResourceType?, strategy: SpotStrategy?, priceLimit: Double?,
                            at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        let isSpot = resourceType == .Spot
        if !isSpot {
            if strategy != nil { sink.error(path() / "spotStrategy", "spotStrategy needs resourceType: Spot") }
            if priceLimit != nil { sink.error(path() / "spotPriceLimit", "spotPriceLimit needs resourceType: Spot") }
            return
        }
        if strategy == nil && priceLimit != nil {
            sink.error(path() / "spotPriceLimit", "spotPriceLimit needs spotStrategy: SpotWithPriceLimit")
        }
        if strategy == .SpotWithPriceLimit && priceLimit == nil {
            sink.error(path() / "spotPriceLimit", "spotStrategy SpotWithPriceLimit needs a spotPriceLimit")
        }
        if strategy == .SpotAsPriceGo && priceLimit != nil {
            sink.error(path() / "spotPriceLimit", "spotPriceLimit is ignored with SpotAsPriceGo; remove it or use SpotWithPriceLimit")
        }
        if let p = priceLimit {
            if !(p > 0) || !p.isFinite {
                sink.error(path() / "spotPriceLimit", "spot price limit must be a positive price, got \(p)")
            } else if abs((p * 1000).rounded() - p * 1000) > 1e-6 {
                sink.error(path() / "spotPriceLimit", "spot price limit \(p) has more than 3 decimals")
            }
        }
    }

    public static func vpc(_ vpc: VPC, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        if let id = vpc.vpcId, !id.hasPrefix("vpc-") {
            sink.error(path() / "vpcId", "VPC id \"\(id)\" must start with vpc-")
        }
        var outer: CIDRBlock?
        if let text = vpc.vpcCidrBlock {
            outer = checkedCIDR(text, at: path() / "vpcCidrBlock", into: &sink)
            if let o = outer, !CIDRBlock.privateRanges.contains(where: { $0.contains(o) }) {
                sink.error(path() / "vpcCidrBlock", "VPC block \(o) is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)")
            }
        }
        if let text = vpc.cidrBlock, let block = checkedCIDR(text, at: path() / "cidrBlock", into: &sink) {
            if let o = outer {
                if !o.contains(block) { sink.error(path() / "cidrBlock", "cluster block \(block) is not inside the VPC's block \(o)") }
            } else if !CIDRBlock.privateRanges.contains(where: { $0.contains(block) }) {
                sink.error(path() / "cidrBlock", "cluster block \(block) is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)")
            }
            if block.prefixLength > 29 { sink.error(path() / "cidrBlock", "cluster block \(block) is too small; the prefix must be /29 or shorter") }
        }
    }

    static func checkedCIDR(_ text: String, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) -> CIDRBlock? {
        guard let block = CIDRBlock(text) else {
            sink.error(path(), "\"\(text)\" is not a CIDR block such as 192.168.1.0/24")
            return nil
        }
        if block.hasHostBits {
            sink.error(path(), "\"\(text)\" has host bits set; did you mean \(CIDRBlock(address: block.address & block.mask, prefixLength: block.prefixLength))?")
            return nil
        }
        return block
    }

    public static func disks(_ disks: Disks, platform: Platform, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        if let s = disks.systemDisk {
            if let size = s.size, !systemDiskRange.contains(size) {
                sink.error(path() / "systemDisk" / "size", "system disk size \(size) GB is out of range 40–500 GB")
            }
            if s.mountPoint != nil { sink.error(path() / "systemDisk" / "mountPoint", "the system disk has no mount point") }
        }
        if let d = disks.dataDisk {
            if let size = d.size, !dataDiskRange.contains(size) {
                sink.error(path() / "dataDisk" / "size", "data disk size \(size) GB is out of range 5–2000 GB")
            }
            if d.type == .ephemeral, let size = d.size, size > 1024 {
                sink.error(path() / "dataDisk" / "size", "ephemeral data disks are at most 1024 GB")
            }
            if let mp = d.mountPoint {
                localPath(mp, platform: platform, at: path() / "dataDisk" / "mountPoint", what: "mount point", into: &sink)
            }
        }
    }

    public static func mounts(_ mounts: Mounts, platform: Platform, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        var seen: [String: Int] = [:]
        for (i, entry) in (mounts.entries ?? []).enumerated() {
            let p = path() / "entries"
            mountEntry(entry, platform: platform, at: p.appending(index: i), into: &sink)
            if let first = seen[entry.destination] {
                sink.error(p.appending(index: i) / "destination", "destination \"\(entry.destination)\" is already used by entries[\(first)]")
            } else {
                seen[entry.destination] = i
            }
        }
        if let locale = mounts.locale, !["GBK", "UTF-8", "UTF8", "GB2312", "BIG5"].contains(locale.uppercased()) {
            sink.error(path() / "locale", "locale \"\(locale)\" is not one of GBK, UTF-8, GB2312, BIG5")
        }
    }

    public static func mountEntry(_ entry: MountEntry, platform: Platform, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        mountSource(entry.source, at: path() / "source", into: &sink)
        let before = sink.diagnostics.count
        localPath(entry.destination, platform: platform, at: path() / "destination", into: &sink)
        let destinationValid = sink.diagnostics.count == before
        if destinationValid, entry.source.hasPrefix("oss://"), platform == .Linux, entry.source.hasSuffix("/") != entry.destination.hasSuffix("/") {
            sink.error(path() / "destination", "source and destination must agree on a trailing / (a directory mounts on a directory, a file on a file)")
        }
    }

    public static func env(_ env: [String: EnvValue], at path: @autoclosure () -> FieldPath, what: String = "environment variable",
                           into sink: inout DiagnosticSink) {
        for (key, value) in env {
            if key.isEmpty || key.utf8.contains(UInt8(ascii: "=")) || key.hasWhitespace {
                sink.errorAtKey(path().appending(key), "\(what) name \"\(key)\" must not be empty or contain = or spaces")
            }
            secret(value, at: path().appending(key), into: &sink)
        }
    }

    public static func secret(_ value: EnvValue, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        guard case .secret(let source) = value else { return }
        switch (source.env, source.file) {
        case (nil, nil): sink.error(path() / "secretFrom", "secretFrom needs env or file")
        case (.some, .some): sink.error(path() / "secretFrom", "secretFrom takes exactly one of env or file, not both")
        case (.some(let name), nil):
            if Names.problem(with: name, what: "variable") != nil || name.containsBytes("-") {
                sink.error(path() / "secretFrom" / "env", "\"\(name)\" is not an environment variable name")
            }
        case (nil, .some(let file)):
            if file.isEmpty { sink.error(path() / "secretFrom" / "file", "file path must not be empty") }
        }
    }

    /// `platform` nil means "not known here" (a render job inherits its project's): the
    /// platform-specific checks then run where the platform is known.
    public static func autoCluster(_ auto: AutoClusterSpec, platform: Platform?, in context: ValidationContext,
                                   at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        instanceType(auto.instanceType, in: context, at: path() / "instanceType", into: &sink)
        if let image = auto.imageId { imageId(image, at: path() / "imageId", into: &sink) }
        spot(resourceType: auto.resourceType, strategy: auto.spotStrategy, priceLimit: auto.spotPriceLimit, at: path(), into: &sink)
        if let d = auto.disks, let platform { disks(d, platform: platform, at: path() / "disks", into: &sink) }
        if let v = auto.vpc { vpc(v, at: path() / "vpc", into: &sink) }
        if let u = auto.userData { env(u, at: path() / "userData", what: "user data key", into: &sink) }
    }

    /// BatchCompute images are `img-…`, ECS images `m-…`.
    public static func imageId(_ id: String, at path: @autoclosure () -> FieldPath, into sink: inout DiagnosticSink) {
        if !(id.hasPrefix("img-") || id.hasPrefix("m-")) || id.utf8.count < 3 || id.hasWhitespace {
            sink.error(path(), "image id \"\(id)\" must be a BatchCompute image (img-…) or an ECS image (m-…)")
        }
    }

    /// `${name}` variables in a command line.
    public static func variables(in text: String) -> [String] {
        var out: [String] = []
        let u = Array(text.utf8)
        var i = 0
        while i + 1 < u.count {
            if u[i] == UInt8(ascii: "$"), u[i + 1] == UInt8(ascii: "{"), let close = u[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) {
                out.append(String(decoding: u[(i + 2)..<close], as: UTF8.self))
                i = close + 1
            } else {
                i += 1
            }
        }
        return out
    }
}

extension CIDRBlock {
    init(address: UInt32, prefixLength: Int) {
        self.init("\(address >> 24).\(address >> 16 & 255).\(address >> 8 & 255).\(address & 255)/\(prefixLength)")!
    }
}

/// An IPv4 CIDR block such as `192.168.1.0/24`.
public struct CIDRBlock: Hashable, Sendable, CustomStringConvertible {
    public let address: UInt32
    public let prefixLength: Int

    /// Parses `a.b.c.d/n`; rejects host bits set past the prefix, as VPC consoles do.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let n = Int(parts[1]), (0...32).contains(n), parts[1].allSatisfy(\.isNumber) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for o in octets {
            guard !o.isEmpty, o.count <= 3, o.allSatisfy(\.isNumber), let v = UInt32(o), v <= 255 else { return nil }
            value = value << 8 | v
        }
        self.address = value
        self.prefixLength = n
    }

    public var mask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength) }
    public var hasHostBits: Bool { address & ~mask != 0 }

    public func contains(_ other: CIDRBlock) -> Bool {
        other.prefixLength >= prefixLength && (other.address & mask) == (address & mask)
    }

    public var description: String {
        let a = address
        return "\(a >> 24).\(a >> 16 & 255).\(a >> 8 & 255).\(a & 255)/\(prefixLength)"
    }

    /// The RFC 1918 ranges a VPC may use.
    public static let privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].compactMap(CIDRBlock.init)
}

/// An IPv4 CIDR block such as `192.168.1.0/24`.
public struct CIDRBlock: Hashable, Sendable, CustomStringConvertible {
    public let address: UInt32
    public let prefixLength: Int

    /// Parses `a.b.c.d/n`; rejects host bits set past the prefix, as VPC consoles do.
    public init?(_ text: String) {
        var value: UInt32 = 0, octet: UInt32 = 0, digits = 0, dots = 0
        var prefix: Int?
        for c in text.utf8 {
            switch c {
            case 48...57:
                digits += 1
                if prefix != nil {
                    if digits > 2 { return nil }
                    prefix = prefix! * 10 + Int(c - 48)
                } else {
                    if digits > 3 { return nil }
                    octet = octet * 10 + UInt32(c - 48)
                }
            case UInt8(ascii: "."):
                guard prefix == nil, digits > 0, octet <= 255, dots < 3 else { return nil }
                value = value << 8 | octet; octet = 0; digits = 0; dots += 1
            case UInt8(ascii: "/"):
                guard prefix == nil, digits > 0, octet <= 255, dots == 3 else { return nil }
                value = value << 8 | octet; digits = 0; prefix = 0
            default:
                return nil
            }
        }
        guard let n = prefix, digits > 0, n <= 32 else { return nil }
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

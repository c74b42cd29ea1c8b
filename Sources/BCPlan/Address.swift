import BCModel

/// `Kind/name`: how plans, labels, journals and diagnostics name a resource.
public struct ResourceAddress: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var kind: Kind
    public var name: String

    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// Parses `Kind/name`; nil for anything else.
    public init?(_ text: String) {
        // `Kind/name`, read without splitting (every live object's label is read this way).
        let utf8 = text.utf8
        if let slash = utf8.firstIndex(of: UInt8(ascii: "/")), slash != utf8.startIndex {
            let rest = utf8.index(after: slash)
            guard let kind = Kind(rawValue: String(text[..<slash])), rest != utf8.endIndex else { return nil }
            self.init(kind: kind, name: String(text[rest...]))
            return
        }
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])), !parts[1].isEmpty else { return nil }
        self.init(kind: kind, name: String(parts[1]))
    }

    public var description: String { "\(kind.rawValue)/\(name)" }

    public static func < (a: ResourceAddress, b: ResourceAddress) -> Bool {
        a.kind == b.kind ? a.name < b.name : a.kind < b.kind
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = ResourceAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a Kind/name address: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// The API collection a kind lives in.
public enum LiveCollection: String, Codable, Sendable, CaseIterable {
    case apps, clusters, jobs

    public static func of(_ kind: Kind) -> LiveCollection {
        switch kind {
        case .App, .RenderProject: .apps
        case .Cluster, .SGECluster: .clusters
        case .Job, .RenderJob, .WorkflowRun: .jobs
        }
    }
}

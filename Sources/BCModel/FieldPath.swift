/// A path to a field inside one manifest, such as `spec.groups.default.desiredCount`.
///
/// Paths are how the model reports problems without knowing anything about YAML:
/// the manifest layer maps a path back to the file, line and column it came from.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    /// Parses the dotted form used in tests and docs (`spec.tasks.a.command`, `spec.mounts.entries[0]`).
    public init(stringLiteral value: String) {
        var parts: [Component] = []
        for piece in value.split(separator: ".", omittingEmptySubsequences: true) {
            var rest = Substring(piece)
            if let bracket = rest.firstIndex(of: "[") {
                let head = rest[..<bracket]
                if !head.isEmpty { parts.append(.key(String(head))) }
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    let inner = rest[rest.index(after: rest.startIndex)..<close]
                    if let i = Int(inner) { parts.append(.index(i)) } else {
                        parts.append(.key(String(inner.trimmingCharacters(in: "\""))))
                    }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                parts.append(.key(String(rest)))
            }
        }
        self.components = parts
    }

    public static let root = FieldPath()

    public func appending(_ key: String) -> FieldPath { FieldPath(components + [.key(key)]) }
    public func appending(index: Int) -> FieldPath { FieldPath(components + [.index(index)]) }
    public static func / (lhs: FieldPath, rhs: String) -> FieldPath { lhs.appending(rhs) }

    public var parent: FieldPath? {
        components.isEmpty ? nil : FieldPath(Array(components.dropLast()))
    }

    public var isEmpty: Bool { components.isEmpty }

    public var description: String {
        var out = ""
        for component in components {
            switch component {
            case .index(let i): out += "[\(i)]"
            case .key(let k):
                if FieldPath.isPlainKey(k) {
                    if !out.isEmpty { out += "." }
                    out += k
                } else {
                    out += "[\"\(k)\"]"
                }
            }
        }
        return out
    }

    static func isPlainKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
        }
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return s
    }
}

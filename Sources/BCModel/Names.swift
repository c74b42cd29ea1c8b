/// BatchCompute's naming rule, shared by every kind and by task and group names.
public enum Names {
    public static let pattern = "^[A-Za-z_-][A-Za-z0-9_-]{0,62}$"

    /// `nil` when the name is valid, otherwise the reason it is not.
    public static func problem(with name: String, what: String = "name", maxLength: Int = 63) -> String? {
        if name.isEmpty { return "\(what) must not be empty" }
        if let bad = name.unicodeScalars.first(where: { !isNameScalar($0) }) {
            return "\(what) \"\(name)\" contains \"\(bad)\"; only letters, digits, _ and - are allowed"
        }
        // Only ASCII is left, so bytes are characters.
        if name.utf8.count > maxLength { return "\(what) \"\(name)\" is \(name.utf8.count) characters long; the limit is \(maxLength)" }
        if let first = name.utf8.first, first >= 48 && first <= 57 {
            return "\(what) \"\(name)\" must not start with a digit"
        }
        return nil
    }

    static func isNameScalar(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_" || s == "-"
    }
}

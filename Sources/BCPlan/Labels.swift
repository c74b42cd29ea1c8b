import BCModel

/// The labels bcops keeps on every live object it owns (DESIGN.md "Ownership").
public enum OwnershipLabels {
    public static let workspace = "bcops.io/workspace"
    public static let address = "bcops.io/address"
    /// `{"manifest.path": "hash", …}` of every field as last applied.
    public static let fields = "bcops.io/fields"
    /// A hash of all the fields as last applied: equal to the manifest's means nothing changed in it.
    public static let spec = "bcops.io/spec"
    /// The object's revision right after bcops applied it: equal to the live revision means
    /// nobody changed it since.
    public static let revision = "bcops.io/revision"
    /// Run kinds: the `rerun:` token the run was submitted with.
    public static let rerun = "bcops.io/rerun"

    public static func isReserved(_ key: String) -> Bool { key.hasPrefix("bcops.io/") }

    /// Encodes applied field hashes compactly (sorted, canonical JSON).
    public static func encodeFields(_ hashes: [String: String]) -> String {
        JSONValue.object(hashes.mapValues(JSONValue.string)).canonicalString
    }

    /// Throws `JSONNestingError` when a fields label nests deeper than bcops reads JSON
    /// (`JSONLimits.maxDepth`). One pass counting opening brackets for any real label; only a
    /// label with more of them than the limit is parsed to see how deep they go.
    public static func checkFields(_ text: String) throws {
        var opening = 0
        for b in text.utf8 where b == UInt8(ascii: "[") || b == UInt8(ascii: "{") { opening += 1 }
        guard opening > JSONLimits.maxDepth else { return }
        do { _ = try JSONValue.parse(Array(text.utf8)) } catch let e as JSONNestingError { throw e } catch {}
    }

    public static func decodeFields(_ text: String?) -> [String: String] {
        guard let text, let v = try? JSONValue.parse(Array(text.utf8)), let o = v.objectValue else { return [:] }
        return o.compactMapValues(\.stringValue)
    }
}

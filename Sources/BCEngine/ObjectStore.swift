import BCAPI
import Foundation

/// `oss://bucket/key` kept on local disk under a root directory.
///
/// Keys never leave the root: `..` segments are refused, so a request cannot read or write
/// outside the store. Writes go through a temporary file and a rename, so an object is
/// either absent or complete, and writing the same object twice leaves one copy.
public struct ObjectStore: Sendable {
    public let root: String
    /// Objects are written here first and renamed into place: a process killed mid-write
    /// leaves its partial file outside the store's namespace.
    var temporaryRoot: String { root + ".incoming" }

    public init(root: String) { self.root = root }

    /// Removes partial writes left by a killed process; called when the engine starts.
    public func clearIncoming() {
        try? FileManager.default.removeItem(atPath: temporaryRoot)
    }

    /// The local path of an `oss://` URL, or a typed error for anything else.
    public func path(of url: String) throws -> String {
        guard url.hasPrefix("oss://") else { throw APIError.invalid("OSSPath", "\"\(url)\" is not an oss:// location") }
        let rest = url.dropFirst(6)
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty else { throw APIError.invalid("OSSPath", "\"\(url)\" has no bucket") }
        if parts.contains("..") || parts.contains(".") { throw APIError.invalid("OSSPath", "\"\(url)\" must not contain . or .. segments") }
        return root + "/" + rest
    }

    public func put(_ data: Data, at url: String) throws {
        let target = try path(of: url)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: temporaryRoot, withIntermediateDirectories: true)
        let tmp = temporaryRoot + "/" + UUID().uuidString
        try data.write(to: URL(fileURLWithPath: tmp))
        guard rename(tmp, target) == 0 else { try? FileManager.default.removeItem(atPath: tmp); throw CocoaError(.fileWriteUnknown) }
    }

    public func putFile(_ local: String, at url: String) throws {
        try put(try Data(contentsOf: URL(fileURLWithPath: local)), at: url)
    }

    public func get(_ url: String) throws -> Data {
        let p = try path(of: url)
        guard let d = FileManager.default.contents(atPath: p) else { throw APIError.notFound(url) }
        return d
    }

    /// Keys under a prefix, recursively, as `oss://` URLs.
    public func list(_ prefix: String) throws -> [String] {
        let base = try path(of: prefix)
        let dir = prefix.hasSuffix("/") ? String(base.dropLast()) : (base as NSString).deletingLastPathComponent
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        while let rel = e.nextObject() as? String {
            let full = dir + "/" + rel
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            let url = "oss://" + full.dropFirst(root.count + 1)
            if url.hasPrefix(prefix) { out.append(url) }
        }
        return out.sorted()
    }
}

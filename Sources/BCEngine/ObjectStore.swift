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
        // Usually absent. Partial files that cannot be removed stay outside the store's
        // namespace, where no reader sees them: nothing is lost by leaving them.
        try? FileManager.default.removeItem(atPath: temporaryRoot)
    }

    /// OSS's longest object name, in bytes.
    public static let maxKeyBytes = 1023
    /// The longest name between two slashes that the file system under the store can hold.
    public static let maxSegmentBytes = 255

    /// The local path of an `oss://` URL, or a typed error (`InvalidOSSPath`) for anything the
    /// store cannot hold as that very name: a NUL would end the name early in every file
    /// system call (`a\0b` became `a`), other control characters are refused as OSS refuses
    /// them, and names too long for OSS or the file system are refused before they reach it.
    public func path(of url: String) throws -> String {
        guard url.hasPrefix("oss://") else { throw APIError.invalid("OSSPath", "\"\(Self.shown(url))\" is not an oss:// location") }
        let rest = url.dropFirst(6)
        if let c = rest.unicodeScalars.first(where: Self.isControl) {
            throw APIError.invalid("OSSPath", "\"\(Self.shown(url))\" contains the control character \(c.escaped(asASCII: true)); object names cannot hold control characters")
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty else { throw APIError.invalid("OSSPath", "\"\(url)\" has no bucket") }
        if parts.contains("..") || parts.contains(".") { throw APIError.invalid("OSSPath", "\"\(url)\" must not contain . or .. segments") }
        let keyBytes = rest.utf8.count - bucket.utf8.count - (parts.count > 1 ? 1 : 0)
        if keyBytes > Self.maxKeyBytes {
            throw APIError.invalid("OSSPath", "the object name in \"\(url.prefix(80))…\" is \(keyBytes) bytes; at most \(Self.maxKeyBytes)")
        }
        if let long = parts.first(where: { $0.utf8.count > Self.maxSegmentBytes }) {
            throw APIError.invalid("OSSPath", "\"\(long.prefix(40))…\" in \"\(url.prefix(80))…\" is \(long.utf8.count) bytes between slashes; "
                                   + "this engine's store holds at most \(Self.maxSegmentBytes)")
        }
        return root + "/" + rest
    }

    static func isControl(_ c: Unicode.Scalar) -> Bool { c.value < 0x20 || c.value == 0x7F }

    /// Text with control characters escaped, for messages.
    static func shown(_ s: some StringProtocol) -> String {
        s.unicodeScalars.map { isControl($0) ? $0.escaped(asASCII: true) : String($0) }.joined()
    }

    public func put(_ data: Data, at url: String) throws {
        let tmp = try incomingPath()
        do { try data.write(to: URL(fileURLWithPath: tmp)) } catch {
            // The write's own error is what the caller needs; a partial file left behind is
            // outside the namespace and cleared at the next start.
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
        try commit(tmp, to: url)
    }

    /// A fresh path outside the store's namespace to write an object into before `commit`.
    public func incomingPath() throws -> String {
        try FileManager.default.createDirectory(atPath: temporaryRoot, withIntermediateDirectories: true)
        return temporaryRoot + "/" + UUID().uuidString
    }

    /// Moves a completely written file into place as the object `url`, replacing any earlier one.
    public func commit(_ incoming: String, to url: String) throws {
        let target = try path(of: url)
        do {
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            try? FileManager.default.removeItem(atPath: incoming)  // as in `put`: the error thrown is the one that matters
            throw error
        }
        guard rename(incoming, target) == 0 else {
            try? FileManager.default.removeItem(atPath: incoming)  // as in `put`: the error thrown is the one that matters
            throw APIError(409, "ObjectConflict", "\(url) cannot be written: a directory of that name exists")
        }
    }

    public struct ObjectInfo: Sendable, Equatable {
        public var key: String
        public var size: Int
        public var modified: Date
        /// Changes whenever the object is rewritten; not a content hash.
        public var etag: String {
            String(format: "%X-%llX", size, UInt64(modified.timeIntervalSince1970 * 1_000_000))
        }
    }

    /// Size and time of an object; nil when there is none (directories are not objects).
    public func stat(_ url: String) throws -> ObjectInfo? {
        let p = try path(of: url)
        var s = Foundation.stat()
        guard lstat(p, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG else { return nil }
        let modified = Date(timeIntervalSince1970: Double(s.st_mtim.tv_sec) + Double(s.st_mtim.tv_nsec) / 1e9)
        return ObjectInfo(key: String(url.dropFirst(6).drop { $0 != "/" }.dropFirst()), size: Int(s.st_size), modified: modified)
    }

    /// Removes an object; true when there was one. Empty parent directories go too.
    @discardableResult
    public func delete(_ url: String) throws -> Bool {
        let p = try path(of: url)
        guard unlink(p) == 0 else { return false }
        let bucketRoot = root + "/" + (url.dropFirst(6).split(separator: "/").first.map(String.init) ?? "")
        var dir = (p as NSString).deletingLastPathComponent
        while dir.count > bucketRoot.count, rmdir(dir) == 0 { dir = (dir as NSString).deletingLastPathComponent }
        return true
    }

    /// One page of a bucket listing as OSS gives it: objects whose key starts with `prefix`
    /// and sorts after `marker`; with a delimiter, deeper keys fold into common prefixes.
    public struct Listing: Sendable, Equatable {
        public var objects: [ObjectInfo] = []
        public var commonPrefixes: [String] = []
        public var nextMarker: String?
    }

    public func list(bucket: String, prefix: String, delimiter: String, marker: String, maxKeys: Int) throws -> Listing {
        let bucketRoot = try path(of: "oss://\(bucket)/")
        if prefix.unicodeScalars.contains(where: Self.isControl) {
            throw APIError.invalid("prefix", "\"\(Self.shown(prefix))\" contains a control character; object names cannot hold one")
        }
        // Walk only the directory the prefix names, not the whole bucket.
        let dirPart = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        if dirPart.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." || $0 == "." }) {
            throw APIError.invalid("prefix", "must not contain . or .. segments")
        }
        let start = dirPart.isEmpty ? String(bucketRoot.dropLast()) : bucketRoot + dirPart
        // Files are objects; an empty directory is the zero-byte "folder/" object OSS consoles make.
        var entries: [ObjectInfo] = []
        let fm = FileManager.default
        if let e = fm.enumerator(atPath: start) {
            while let rel = e.nextObject() as? String {
                let key = dirPart.isEmpty ? rel : dirPart + "/" + rel
                let isDir = (e.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory
                if isDir {
                    if !(key + "/").hasPrefix(prefix) && !prefix.hasPrefix(key + "/") { e.skipDescendants(); continue }
                    if (key + "/").hasPrefix(prefix), (try? fm.contentsOfDirectory(atPath: start + "/" + rel))?.isEmpty == true {
                        let modified = (e.fileAttributes?[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
                        entries.append(ObjectInfo(key: key + "/", size: 0, modified: modified))
                    }
                } else if key.hasPrefix(prefix), let info = try stat("oss://\(bucket)/\(key)") {
                    entries.append(info)
                }
            }
        }
        var listing = Listing()
        var last: String?
        for entry in entries.sorted(by: { $0.key < $1.key }) {
            var name = entry.key
            var folded = false
            if !delimiter.isEmpty, let r = entry.key.dropFirst(prefix.count).range(of: delimiter) {
                name = String(entry.key[..<r.upperBound])
                folded = true
            }
            guard name > marker, name != last else { continue }
            if listing.objects.count + listing.commonPrefixes.count == maxKeys {
                listing.nextMarker = last
                return listing
            }
            if folded { listing.commonPrefixes.append(name) } else { listing.objects.append(entry) }
            last = name
        }
        return listing
    }

    /// Copies a local file in (streamed by the file system, never loaded whole).
    public func putFile(_ local: String, at url: String) throws {
        _ = try path(of: url)
        let tmp = try incomingPath()
        try FileManager.default.copyItem(atPath: local, toPath: tmp)
        try commit(tmp, to: url)
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

import BCAPI
import Foundation
import Hummingbird

/// The engine's object store spoken as OSS, so that `bcs o …` and `bcs log` (which use the
/// `oss2` package, not the BatchCompute API) work against the engine.
///
/// OSS and BatchCompute share the listener: a path-style OSS request (`/bucket/key`) is told
/// apart by its `Authorization: OSS …` header, which no BatchCompute client sends. Covered:
/// list objects (v1, with prefix, delimiter, marker, max-keys), get (with Range), head, put,
/// copy (`x-oss-copy-source`), delete and multi-object delete; anything else answers
/// `NotImplemented` in OSS's XML error shape.
struct OSSMiddleware<Context: RequestContext>: RouterMiddleware {
    let engine: Engine

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authorization = request.headers[.authorization], authorization.hasPrefix("OSS ") else {
            return try await next(request, context)
        }
        let requestId = UUID().uuidString.replacingOccurrences(of: "-", with: "").uppercased()
        let isHead = request.method == .head
        var response: Response
        do {
            response = try await OSSRequest(engine: engine, request: request, authorization: authorization).respond(context: context)
        } catch let error as OSSError {
            response = error.response(requestId: requestId, head: isHead)
        } catch let error as APIError {
            response = OSSError(error.status, error.code, error.message).response(requestId: requestId, head: isHead)
        } catch {
            response = OSSError(500, "InternalError", "\(error)").response(requestId: requestId, head: isHead)
        }
        response.headers[.init("x-oss-request-id")!] = requestId
        response.headers[.init("Server")!] = "AliyunOSS"
        return response
    }
}

/// OSS's error: XML in the body, and base64 of the same XML in `x-oss-err` for HEAD (no body).
struct OSSError: Error {
    var status: Int
    var code: String
    var message: String
    var key: String?

    init(_ status: Int, _ code: String, _ message: String, key: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.key = key
    }

    func response(requestId: String, head: Bool) -> Response {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>\(OSSXML.escape(code))</Code>\n"
        xml += "  <Message>\(OSSXML.escape(message))</Message>\n  <RequestId>\(requestId)</RequestId>\n  <HostId>bcops-engine</HostId>\n"
        if let key { xml += "  <Key>\(OSSXML.escape(key))</Key>\n" }
        xml += "</Error>\n"
        var headers: HTTPFields = [.contentType: "application/xml"]
        if head {
            headers[.init("x-oss-err")!] = Data(xml.utf8).base64EncodedString()
            return Response(status: .init(code: status), headers: headers)
        }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
    }
}

enum OSSXML {
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func unescape(_ s: Substring) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The text of every `<tag>…</tag>` in a small document (multi-object delete bodies).
    static func texts(of tag: String, in xml: String) -> [String] {
        var out: [String] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(tag)>"), let close = rest[open.upperBound...].range(of: "</\(tag)>") {
            out.append(unescape(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return out
    }

    /// `2026-11-21T10:00:00.000Z`: oss2 accepts only `.000` as the fraction, as OSS sends it.
    static func isoTime(_ d: Date) -> String { String(WireTime.format(d).prefix(19)) + ".000Z" }
}

/// One OSS request: authenticated, then routed on method, bucket, key and sub-resource.
struct OSSRequest {
    let engine: Engine
    let request: Request
    let authorization: String
    var objects: ObjectStore { engine.objects }

    func respond(context: some RequestContext) async throws -> Response {
        let rawPath = request.uri.path
        let decoded = rawPath.removingPercentEncoding ?? rawPath
        let trimmed = decoded.hasPrefix("/") ? String(decoded.dropFirst()) : decoded
        let bucket = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let key = trimmed.count > bucket.count ? String(trimmed.dropFirst(bucket.count + 1)) : ""
        let query = APIServer.queryPairs(request.uri.query, plusIsSpace: true)
        try authenticate(bucket: bucket.isEmpty ? nil : bucket, key: key, query: query)
        guard !bucket.isEmpty else { throw OSSError(501, "NotImplemented", "Listing buckets is not supported by the bcops engine.") }
        guard Self.validBucket(bucket) else { throw OSSError(400, "InvalidBucketName", "The specified bucket is not valid.") }
        let names = Set(query.map(\.0))
        let url = "oss://\(bucket)/\(key)"
        if key.isEmpty {
            switch request.method {
            case .get where names.isDisjoint(with: OSSSignature.subresources): return try list(bucket: bucket, query: query)
            case .post where names.contains("delete"): return try await deleteMany(bucket: bucket, query: query)
            default: throw OSSError(501, "NotImplemented", "\(request.method) on a bucket is not supported by the bcops engine.")
            }
        }
        if names == ["objectMeta"], request.method == .head {
            return try await get(url: url, key: key, context: context)  // GetObjectMeta: oss2's object_exists
        }
        guard names.isDisjoint(with: OSSSignature.subresources) else {
            throw OSSError(501, "NotImplemented", "Sub-resources (\(names.intersection(OSSSignature.subresources).sorted().joined(separator: ","))) are not supported by the bcops engine.")
        }
        guard (try? objects.path(of: url)) != nil else { throw OSSError(400, "InvalidObjectName", "The object name must not contain . or .. segments.", key: key) }
        switch request.method {
        case .get, .head: return try await get(url: url, key: key, context: context)
        case .put: return try await put(url: url, key: key, context: context)
        case .delete:
            try objects.delete(url)
            return Response(status: .noContent)
        default: throw OSSError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
        }
    }

    func authenticate(bucket: String?, key: String, query: [(String, String)]) throws {
        let credentials = engine.credentials
        guard let (keyId, _) = OSSSignature.parseAuthorization(authorization) else {
            throw OSSError(400, "InvalidArgument", "Authorization header is invalid.")
        }
        guard keyId == credentials.accessKeyId else { throw OSSError(403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.") }
        guard request.headers[.date] != nil || request.headers[.init("x-oss-date")!] != nil else {
            throw OSSError(403, "AccessDenied", "OSS authentication requires a valid Date.")
        }
        let headers = request.headers.map { ACSSignature.Header($0.name.rawName, $0.value) }
        let resource = OSSSignature.canonicalResource(bucket: bucket, key: key, query: query)
        guard OSSSignature.verify(authorization: authorization, secret: credentials.accessKeySecret, method: request.method.rawValue,
                                  resource: resource, headers: headers) else {
            throw OSSError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
        }
    }

    func list(bucket: String, query: [(String, String)]) throws -> Response {
        let q = Dictionary(query, uniquingKeysWith: { a, _ in a })
        let maxKeys = Int(q["max-keys"] ?? "") ?? 100
        guard (1...1000).contains(maxKeys) else { throw OSSError(400, "InvalidArgument", "max-keys must be between 1 and 1000.") }
        let prefix = q["prefix"] ?? "", delimiter = q["delimiter"] ?? "", marker = q["marker"] ?? ""
        guard FileManager.default.fileExists(atPath: try objects.path(of: "oss://\(bucket)/")) else {
            throw OSSError(404, "NoSuchBucket", "The specified bucket does not exist.")
        }
        let page = try objects.list(bucket: bucket, prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: maxKeys)
        let e = OSSXML.escape
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>\n  <Name>\(e(bucket))</Name>\n"
        xml += "  <Prefix>\(e(prefix))</Prefix>\n  <Marker>\(e(marker))</Marker>\n  <MaxKeys>\(maxKeys)</MaxKeys>\n"
        xml += "  <Delimiter>\(e(delimiter))</Delimiter>\n  <IsTruncated>\(page.nextMarker != nil)</IsTruncated>\n"
        if let next = page.nextMarker { xml += "  <NextMarker>\(e(next))</NextMarker>\n" }
        for o in page.objects {
            xml += "  <Contents>\n    <Key>\(e(o.key))</Key>\n    <LastModified>\(OSSXML.isoTime(o.modified))</LastModified>\n"
            xml += "    <ETag>\"\(o.etag)\"</ETag>\n    <Type>Normal</Type>\n    <Size>\(o.size)</Size>\n"
            xml += "    <StorageClass>Standard</StorageClass>\n  </Contents>\n"
        }
        for p in page.commonPrefixes { xml += "  <CommonPrefixes>\n    <Prefix>\(e(p))</Prefix>\n  </CommonPrefixes>\n" }
        xml += "</ListBucketResult>\n"
        return Response(status: .ok, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    func objectHeaders(_ info: ObjectStore.ObjectInfo) -> HTTPFields {
        [.contentType: "application/octet-stream", .eTag: "\"\(info.etag)\"", .lastModified: WireTime.httpDate(info.modified),
         .acceptRanges: "bytes", .init("x-oss-object-type")!: "Normal", .init("x-oss-storage-class")!: "Standard"]
    }

    func get(url: String, key: String, context: some RequestContext) async throws -> Response {
        guard let info = try objects.stat(url) else { throw OSSError(404, "NoSuchKey", "The specified key does not exist.", key: key) }
        var headers = objectHeaders(info)
        var range = info.size > 0 ? 0...(info.size - 1) : nil
        var status = HTTPResponse.Status.ok
        if let wanted = request.headers[.range], let r = Self.byteRange(wanted, size: info.size) {
            range = r
            status = .partialContent
            headers[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound)/\(info.size)"
        }
        headers[.contentLength] = String(range.map(\.count) ?? 0)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        guard let range else { return Response(status: status, headers: headers) }
        let body = try await FileIO().loadFile(path: try objects.path(of: url), range: range, context: context)
        return Response(status: status, headers: headers, body: body)
    }

    /// `bytes=a-b`, `bytes=a-` or `bytes=-n`; as OSS does, an unsatisfiable range means the whole object.
    static func byteRange(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard header.hasPrefix("bytes="), size > 0, !header.contains(",") else { return nil }
        let parts = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let first = Int(parts[0]), last = Int(parts[1])
        switch (first, last) {
        case let (a?, b?) where a <= b && a < size: return a...min(b, size - 1)
        case let (a?, nil) where parts[1].isEmpty && a < size: return a...(size - 1)
        case let (nil, n?) where parts[0].isEmpty && n > 0: return max(0, size - n)...(size - 1)
        default: return nil
        }
    }

    func put(url: String, key: String, context: some RequestContext) async throws -> Response {
        if let source = request.headers[.init("x-oss-copy-source")!] {
            let decoded = source.removingPercentEncoding ?? source
            let from = "oss://" + (decoded.hasPrefix("/") ? String(decoded.dropFirst()) : decoded)
            guard (try? objects.path(of: from)) != nil, try objects.stat(from) != nil else {
                throw OSSError(404, "NoSuchKey", "The specified key does not exist.", key: decoded)
            }
            try objects.putFile(try objects.path(of: from), at: url)
            let info = try objects.stat(url)!
            let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyObjectResult>\n  <ETag>\"\(info.etag)\"</ETag>\n"
                + "  <LastModified>\(OSSXML.isoTime(info.modified))</LastModified>\n</CopyObjectResult>\n"
            return Response(status: .ok, headers: [.contentType: "application/xml", .eTag: "\"\(info.etag)\""],
                            body: .init(byteBuffer: ByteBuffer(string: xml)))
        }
        if key.hasSuffix("/") {
            // A "folder" object: OSS consoles create these as zero-byte keys ending in "/".
            try FileManager.default.createDirectory(atPath: try objects.path(of: url), withIntermediateDirectories: true)
            return Response(status: .ok, headers: [.eTag: "\"D41D8CD98F00B204E9800998ECF8427E\""])
        }
        let incoming = try objects.incomingPath()
        do {
            try await FileIO().writeFile(contents: request.body, path: incoming, context: context)
        } catch {
            try? FileManager.default.removeItem(atPath: incoming)
            throw OSSError(400, "IncompleteBody", "The request body ended before its Content-Length.")
        }
        try objects.commit(incoming, to: url)
        guard let info = try objects.stat(url) else { throw OSSError(500, "InternalError", "The object vanished after it was written.") }
        return Response(status: .ok, headers: [.eTag: "\"\(info.etag)\""])
    }

    /// Multi-object delete (`POST /bucket?delete`), as `bcs o del` sends for a prefix.
    func deleteMany(bucket: String, query: [(String, String)]) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 4 << 20)
        let xml = String(buffer: body)
        let quiet = OSSXML.texts(of: "Quiet", in: xml).first == "true"
        let urlEncoded = query.contains { $0.0 == "encoding-type" && $0.1 == "url" }
        let keys = OSSXML.texts(of: "Key", in: xml).map { urlEncoded ? ($0.removingPercentEncoding ?? $0) : $0 }
        guard keys.count <= 1000 else { throw OSSError(400, "MalformedXML", "At most 1000 keys can be deleted at once.") }
        for key in keys {
            guard (try? objects.path(of: "oss://\(bucket)/\(key)")) != nil else {
                throw OSSError(400, "InvalidObjectName", "The object name must not contain . or .. segments.", key: key)
            }
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult>\n"
        if urlEncoded { out += "  <EncodingType>url</EncodingType>\n" }
        for key in keys {
            try objects.delete("oss://\(bucket)/\(key)")
            if !quiet {
                let shown = urlEncoded ? (key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key) : OSSXML.escape(key)
                out += "  <Deleted>\n    <Key>\(shown)</Key>\n  </Deleted>\n"
            }
        }
        out += "</DeleteResult>\n"
        return Response(status: .ok, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(string: out)))
    }

    /// OSS bucket names (OSS wants at least 3 characters; the engine accepts 1): up to 63 of lowercase letters, digits and hyphens, not starting or ending with a hyphen.
    static func validBucket(_ name: String) -> Bool {
        (1...63).contains(name.count) && !name.hasPrefix("-") && !name.hasSuffix("-")
            && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

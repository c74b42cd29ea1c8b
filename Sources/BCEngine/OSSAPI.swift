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
    /// The mutations accepted within the Date window, shared by every request this router serves.
    var mutations = OSSMutationWindow()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authorization = request.headers[.authorization], authorization.hasPrefix("OSS ") else {
            return try await next(request, context)
        }
        let requestId = UUID().uuidString.replacingOccurrences(of: "-", with: "").uppercased()
        let isHead = request.method == .head
        var response: Response
        do {
            response = try await OSSRequest(engine: engine, request: request, authorization: authorization, mutations: mutations).respond(context: context)
        } catch {
            // OSS's codes for the store's and the file system's errors too (OSSError.mapping).
            response = OSSError.mapping(error).response(requestId: requestId, head: isHead)
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
    static func escape(_ s: String) -> String { MarkupEscaping.escape(s, apostrophe: "&apos;") }

    /// `2026-11-21T10:00:00.000Z`: oss2 accepts only `.000` as the fraction, as OSS sends it.
    static func isoTime(_ d: Date) -> String { String(WireTime.format(d).prefix(19)) + ".000Z" }
}

/// One OSS request: authenticated, then routed on method, bucket, key and sub-resource.
struct OSSRequest {
    let engine: Engine
    let request: Request
    let authorization: String
    let mutations: OSSMutationWindow
    var objects: ObjectStore { engine.objects }

    func respond(context: some RequestContext) async throws -> Response {
        let rawPath = request.uri.path
        let decoded = rawPath.removingPercentEncoding ?? rawPath
        let trimmed = decoded.hasPrefix("/") ? String(decoded.dropFirst()) : decoded
        let bucket = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let key = trimmed.count > bucket.count ? String(trimmed.dropFirst(bucket.count + 1)) : ""
        let query = APIServer.queryPairs(request.uri.query, plusIsSpace: true)
        let signed = try authenticate(bucket: bucket.isEmpty ? nil : bucket, key: key, query: query)
        guard !bucket.isEmpty else { throw OSSError(501, "NotImplemented", "Listing buckets is not supported by the bcops engine.") }
        guard Self.validBucket(bucket) else { throw OSSError(400, "InvalidBucketName", "The specified bucket is not valid.") }
        let names = Set(query.map(\.0))
        let url = "oss://\(bucket)/\(key)"
        if key.isEmpty {
            switch request.method {
            case .get where names.isDisjoint(with: OSSSignature.subresources): return try list(bucket: bucket, query: query)
            case .post where names.contains("delete"): return try await deleteMany(bucket: bucket, query: query, signed: signed)
            default: throw OSSError(501, "NotImplemented", "\(request.method) on a bucket is not supported by the bcops engine.")
            }
        }
        if names == ["objectMeta"], request.method == .head {
            return try await get(url: url, key: key, context: context)  // GetObjectMeta: oss2's object_exists
        }
        guard names.isDisjoint(with: OSSSignature.subresources) else {
            throw OSSError(501, "NotImplemented", "Sub-resources (\(names.intersection(OSSSignature.subresources).sorted().joined(separator: ","))) are not supported by the bcops engine.")
        }
        do { _ = try objects.path(of: url) } catch { throw OSSError.mapping(error, key: key) }
        switch request.method {
        case .get, .head: return try await get(url: url, key: key, context: context)
        case .put: return try await put(url: url, key: key, signed: signed, context: context)
        case .delete:
            return try await once(signed, body: nil, affects: [url], noOp: { Response(status: .noContent) }) {
                try objects.delete(url)
                return Response(status: .noContent)
            }
        default: throw OSSError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
        }
    }

    /// What identifies an authenticated request, for `once`.
    struct Signed {
        var accessKeyId: String
        var signature: String
        var date: Date
        /// Its Date + 15 minutes: after that the Date check refuses it, so nothing about it is kept longer.
        var expires: Date
    }

    /// The V1 signature, then the Date: within 15 minutes of the engine's clock, as OSS wants.
    func authenticate(bucket: String?, key: String, query: [(String, String)]) throws -> Signed {
        guard let (keyId, signature) = OSSSignature.parseAuthorization(authorization) else {
            throw OSSError(400, "InvalidArgument", "Authorization header is invalid.")
        }
        guard let secret = JobCredentials.secret(for: keyId, engine: engine) else {
            throw OSSError(403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.")
        }
        // The date the signature covers: x-oss-date when present, else Date (OSSSignature.stringToSign).
        let ossDate = request.headers[SignedHeaders.ossDate] ?? ""
        guard let dateHeader = ossDate.isEmpty ? request.headers[.date] : ossDate else {
            throw OSSError(403, "AccessDenied", "OSS authentication requires a valid Date.")
        }
        let headers = request.headers.map { ACSSignature.Header($0.name.rawName, $0.value) }
        let resource = OSSSignature.canonicalResource(bucket: bucket, key: key, query: query)
        guard OSSSignature.verify(authorization: authorization, secret: secret, method: request.method.rawValue,
                                  resource: resource, headers: headers) else {
            throw OSSError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
        }
        let now = Date()
        switch RequestTime.check(dateHeader, now: now) {
        case .fresh(let date, let expires):
            return Signed(accessKeyId: keyId, signature: signature, date: date, expires: expires)
        case .unparseable:
            throw OSSError(403, "AccessDenied", "OSS authentication requires a valid Date: \"\(dateHeader.prefix(64))\" is not an HTTP date "
                           + "such as \(WireTime.httpDate(now)).")
        case .skewed:
            throw OSSError(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large. "
                           + RequestTime.skewMessage(header: dateHeader, now: now))
        }
    }

    /// Carries out a mutating request (PUT, POST, DELETE) once within the Date window.
    ///
    /// OSS's V1 signature has no nonce, so a replay is told apart by what it is: the same
    /// signature (verb, `Content-MD5`, `Content-Type`, Date to the second, `x-oss-*` headers,
    /// bucket, key and sub-resources) *and* the same body (its MD5, computed here whether or
    /// not the client sent `Content-MD5`). Such a repeat is
    /// - answered as a success **without being carried out** when the objects it touches are
    ///   exactly as that request left them (same size and write time, or still absent): an
    ///   identical retry of a PUT or DELETE whose answer was lost changes nothing, so it is
    ///   harmless to answer it;
    /// - refused with `403 RequestReplayed` otherwise: the object was overwritten or deleted
    ///   since (replaying would undo that), or the first one failed or is still running.
    ///
    /// Same signature with another body is a different request and is carried out: oss2 does
    /// not send `Content-MD5` on a put, so two puts of one key with different contents within
    /// one second sign alike, and both are legitimate. The price: without `Content-MD5`, a
    /// captured PUT can carry another body to the same key, with the same headers, within its
    /// 15 minutes. Clients that send `Content-MD5` (bcops' OSSClient does; oss2 does for
    /// multi-object delete) bind the body into the signature and close that. Reads (GET, HEAD)
    /// are never refused as repeats: two identical GETs in one second are ordinary and change
    /// nothing. docs/ARCHITECTURE.md ("What the signatures protect") explains the choice.
    func once(_ signed: Signed, body digest: [UInt8]?, affects urls: [String], noOp: () throws -> Response,
              perform: () async throws -> Response) async throws -> Response {
        let key = ReplayKey(signed.accessKeyId, signed.signature, bytes: digest ?? [])
        switch await mutations.claim(key, date: signed.date, expires: signed.expires) {
        case .fresh:
            let response: Response
            do {
                response = try await perform()
            } catch {
                await mutations.finish(key, .failed)
                throw error
            }
            // Unreadable objects leave an empty fingerprint, which no replay matches: a replay is
            // then refused rather than taken for a no-op, the safe side.
            await mutations.finish(key, .done(fingerprint: (try? fingerprint(urls)) ?? ""))
            return response
        // Objects that cannot be read now are not known to be unchanged: refused below.
        case .repeated(.done(let before)) where !before.isEmpty && (try? fingerprint(urls)) == before:
            return try noOp()
        case .repeated(let state):
            let why = switch state {
            case .running: "is being carried out right now"
            case .failed: "was refused or failed"
            case .done: "was carried out and the object changed since, so repeating it would undo that"
            }
            throw OSSError(403, "RequestReplayed", "An identical request (same signature, Date and body) \(why) within the last "
                           + "15 minutes; a replay is refused. Sign it again, with a new Date, to repeat it.")
        case .predates:
            throw OSSError(403, "RequestTimeTooSkewed", "The request is dated before this engine started; a write signed for its "
                           + "previous run could be a replay, so sign it again.")
        case .full:
            throw OSSError(503, "ServiceUnavailable", "Too many writes within 15 minutes for the engine to remember; retry later.")
        }
    }

    /// The state of the objects a mutation touched: size and write time of each (its ETag), a
    /// folder, or absent.
    func fingerprint(_ urls: [String]) throws -> String {
        try urls.map { url in
            if let info = try objects.stat(url) { return info.etag }
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: try objects.path(of: url), isDirectory: &isDirectory) && isDirectory.boolValue ? "/" : "-"
        }.joined(separator: "\n")
    }

    /// A body's MD5 against the `Content-MD5` the client sent, if any (signed in V1).
    func checkContentMD5(_ digest: [UInt8], key: String) throws {
        guard let sent = request.headers[SignedHeaders.contentMD5] else { return }
        guard let wanted = BodyDigest.parse(sent) else {
            throw OSSError(400, "InvalidDigest", "The Content-MD5 you specified is not valid.", key: key)
        }
        guard wanted == digest else {
            throw OSSError(400, "InvalidDigest", "The Content-MD5 you specified did not match what we received.", key: key)
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

    func put(url: String, key: String, signed: Signed, context: some RequestContext) async throws -> Response {
        let etagOfTarget = { () throws -> Response in
            guard let info = try objects.stat(url) else { throw OSSError(500, "InternalError", "The object vanished after it was written.") }
            return Response(status: .ok, headers: [.eTag: "\"\(info.etag)\""])
        }
        if let source = request.headers[.init("x-oss-copy-source")!] {
            let decoded = source.removingPercentEncoding ?? source
            let from = "oss://" + (decoded.hasPrefix("/") ? String(decoded.dropFirst()) : decoded)
            let copied = { () throws -> Response in
                guard let info = try objects.stat(url) else { throw OSSError(500, "InternalError", "The object vanished after it was written.") }
                let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyObjectResult>\n  <ETag>\"\(info.etag)\"</ETag>\n"
                    + "  <LastModified>\(OSSXML.isoTime(info.modified))</LastModified>\n</CopyObjectResult>\n"
                return Response(status: .ok, headers: [.contentType: "application/xml", .eTag: "\"\(info.etag)\""],
                                body: .init(byteBuffer: ByteBuffer(string: xml)))
            }
            return try await once(signed, body: nil, affects: [url], noOp: copied) {
                do { _ = try objects.path(of: from) } catch { throw OSSError.mapping(error, key: decoded) }
                guard try objects.stat(from) != nil else {
                    throw OSSError(404, "NoSuchKey", "The specified key does not exist.", key: decoded)
                }
                try objects.putFile(try objects.path(of: from), at: url)
                return try copied()
            }
        }
        if key.hasSuffix("/") {
            // A "folder" object: OSS consoles create these as zero-byte keys ending in "/".
            let folder = { Response(status: .ok, headers: [.eTag: "\"D41D8CD98F00B204E9800998ECF8427E\""]) }
            return try await once(signed, body: nil, affects: [url], noOp: folder) {
                try FileManager.default.createDirectory(atPath: try objects.path(of: url), withIntermediateDirectories: true)
                return folder()
            }
        }
        // The body goes to a file outside the store's namespace, hashed on the way; it becomes
        // the object only if its MD5 is the one the client signed and it is not a replay.
        let incoming = try objects.incomingPath()
        defer { try? FileManager.default.removeItem(atPath: incoming) }  // gone already once committed
        let md5 = BodyDigest.Stream()
        do {
            try await FileIO().writeFile(contents: HashedBody(base: request.body, md5: md5), path: incoming, context: context)
        } catch {
            throw OSSError(400, "IncompleteBody", "The request body ended before its Content-Length.")
        }
        let digest = md5.finish()
        try checkContentMD5(digest, key: key)
        return try await once(signed, body: digest, affects: [url], noOp: etagOfTarget) {
            try objects.commit(incoming, to: url)
            return try etagOfTarget()
        }
    }

    /// Multi-object delete (`POST /bucket?delete`), as `bcs o del` sends for a prefix.
    func deleteMany(bucket: String, query: [(String, String)], signed: Signed) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 4 << 20)
        let digest = BodyDigest.md5(Array(body.readableBytesView))
        try checkContentMD5(digest, key: "")
        let asked = try OSSDeleteRequest.parse(Data(body.readableBytesView))
        let quiet = asked.quiet
        let urlEncoded = query.contains { $0.0 == "encoding-type" && $0.1 == "url" }
        let keys = asked.keys.map { urlEncoded ? ($0.removingPercentEncoding ?? $0) : $0 }
        guard keys.count <= 1000 else { throw OSSError(400, "MalformedXML", "At most 1000 keys can be deleted at once.") }
        for key in keys {
            do { _ = try objects.path(of: "oss://\(bucket)/\(key)") } catch { throw OSSError.mapping(error, key: key) }
        }
        let answer = { () -> Response in
            var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult>\n"
            if urlEncoded { out += "  <EncodingType>url</EncodingType>\n" }
            for key in keys where !quiet {
                let shown = urlEncoded ? (key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key) : OSSXML.escape(key)
                out += "  <Deleted>\n    <Key>\(shown)</Key>\n  </Deleted>\n"
            }
            out += "</DeleteResult>\n"
            return Response(status: .ok, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(string: out)))
        }
        return try await once(signed, body: digest, affects: keys.map { "oss://\(bucket)/\($0)" }, noOp: answer) {
            for key in keys { try objects.delete("oss://\(bucket)/\(key)") }
            return answer()
        }
    }

    /// OSS bucket names (OSS wants at least 3 characters; the engine accepts 1): up to 63 of lowercase letters, digits and hyphens, not starting or ending with a hyphen.
    static func validBucket(_ name: String) -> Bool {
        (1...63).contains(name.count) && !name.hasPrefix("-") && !name.hasSuffix("-")
            && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

/// A request body passed through as it streams to disk, its MD5 computed on the way.
struct HashedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let md5: BodyDigest.Stream

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let md5: BodyDigest.Stream

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            buffer.withUnsafeReadableBytes { md5.update($0) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), md5: md5) }
}

// MARK: Errors as OSS answers them

extension OSSError {
    /// Any error met while serving an OSS request, as one of OSS's codes: the store's own
    /// (`InvalidOSSPath` is OSS's `InvalidObjectName`), the file system's by errno (a name the
    /// file system refuses, a key below an object, no permission, a full disk), Hummingbird's
    /// file errors. Only an error that is none of these is a 500.
    static func mapping(_ error: Error, key: String? = nil) -> OSSError {
        switch error {
        case let e as OSSError:
            return e
        case let e as APIError:
            switch e.code {
            case "InvalidOSSPath": return OSSError(400, "InvalidObjectName", e.message, key: key)
            case "Invalidprefix": return OSSError(400, "InvalidArgument", e.message)
            case "InvalidResource.NotFound": return OSSError(404, "NoSuchKey", "The specified key does not exist.", key: key)
            default: return OSSError(e.status, e.code, e.message, key: key)
            }
        case let e as HTTPError where e.status == .notFound:
            return OSSError(404, "NoSuchKey", "The specified key does not exist.", key: key)
        default:
            break
        }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return OSSError(404, "NoSuchKey", "The specified key does not exist.", key: key)
            case .fileReadNoPermission, .fileWriteNoPermission, .fileWriteVolumeReadOnly: return fileSystem(EACCES, key: key)
            case .fileWriteOutOfSpace: return fileSystem(ENOSPC, key: key)
            case .fileWriteFileExists: return fileSystem(EEXIST, key: key)
            case .fileReadInvalidFileName, .fileWriteInvalidFileName: return fileSystem(EINVAL, key: key)
            default: break
            }
        }
        if let code = errnoCode(of: error) { return fileSystem(code, key: key) }
        return OSSError(500, "InternalError", "\(error)", key: key)
    }

    /// The errno behind a file system error (POSIXError, NSError in the POSIX domain, or the
    /// underlying error of a CocoaError).
    static func errnoCode(of error: Error) -> Int32? {
        var current: Error? = error
        for _ in 0..<4 {  // underlying errors, a few levels down
            guard let e = current else { return nil }
            if let p = e as? POSIXError { return p.code.rawValue }
            let ns = e as NSError
            if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
            current = ns.userInfo[NSUnderlyingErrorKey] as? Error
        }
        return nil
    }

    /// OSS's code for a failed file system call.
    static func fileSystem(_ code: Int32, key: String?) -> OSSError {
        let what = String(cString: strerror(code))
        switch code {
        case ENOENT:
            return OSSError(404, "NoSuchKey", "The specified key does not exist.", key: key)
        case EACCES, EPERM, EROFS:
            return OSSError(403, "AccessDenied", "The engine's object store cannot access this object (\(what)).", key: key)
        case ENAMETOOLONG, EINVAL, EILSEQ:
            return OSSError(400, "InvalidObjectName", "The object name cannot be stored (\(what)).", key: key)
        case ENOTDIR, EISDIR, EEXIST, ENOTEMPTY:
            return OSSError(409, "ObjectConflict", "The object name conflicts with another object: one is a folder of the other in the engine's store (\(what)).", key: key)
        case EFBIG:
            return OSSError(400, "EntityTooLarge", "The object is larger than the engine's store can hold (\(what)).", key: key)
        default:
            // Out of space, out of descriptors, I/O errors: the service is unavailable, not the request wrong.
            return OSSError(503, "ServiceUnavailable", "The engine's object store cannot serve this request now (\(what)).", key: key)
        }
    }
}

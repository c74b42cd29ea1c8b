import BCAPI
@testable import BCEngine
import BCTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Signatures expire (issue #12, defect 3): a Date more than 15 minutes off, a reused nonce, an
/// exact replay and a body swapped under a captured signature are refused, for the `acs` and
/// the OSS signatures, while the official SDK, `bcs`, oss2 and bcops' own client keep working.
@Suite(.serialized) struct SignatureTests {
    static func code(_ r: EngineProcess.HTTPResult) -> String { r.json["Code"] as? String ?? "" }
    static func message(_ r: EngineProcess.HTTPResult) -> String { r.json["Message"] as? String ?? "" }
    static func ago(_ seconds: TimeInterval) -> String { WireTime.httpDate(Date().addingTimeInterval(-seconds)) }

    /// A job body the engine accepts (on a cluster without nodes, so nothing runs).
    static func job(_ name: String, cluster: String) -> Data {
        BadInputTests.dagJob { job in
            job["Name"] = name
            BadInputTests.setTask(&job, "ClusterId", cluster)
        }
    }

    static func jobNames(_ engine: EngineProcess) async throws -> [String] {
        let items = try await engine.request("GET", "/jobs?MaxItemCount=100").json["Items"] as? [[String: Any]] ?? []
        return items.compactMap { $0["Name"] as? String }.sorted()
    }

    // MARK: acs: Date

    @Test func oldFutureAndGarbageDatesAreRefused() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        for (what, seconds) in [("1 hour old", 3600.0), ("1 day old", 86_400), ("10 years old", 315_360_000), ("16 minutes old", 960),
                                ("1 hour ahead", -3600), ("16 minutes ahead", -960)] {
            let r = try await engine.request("GET", "/jobs", date: Self.ago(seconds))
            #expect(r.status == 403 && Self.code(r) == "RequestTimeTooSkewed", "\(what): \(r.status) \(r.json)")
            #expect(Self.message(r).contains("15 minutes"), "\(what): \(r.json)")
        }
        for garbage in ["yesterday", "0", "1700000000", "Tue, 31 Feb 2026 00:00:00 GMT", "Tue, 01 Jan 2019 25:00:00 GMT",
                        "2026-11-21T19:31:07Z", "Sat, 21 Nov 2026 19:31:07 +0000"] {
            let r = try await engine.request("GET", "/jobs", date: garbage)
            #expect(r.status == 400 && Self.code(r) == "InvalidDate", "\(garbage): \(r.status) \(r.json)")
            #expect(Self.message(r).contains("is not an HTTP date such as"), "\(garbage): \(r.json)")
        }
        // Inside the window (ahead: the engine started moments ago), and the obsolete forms HTTP allows.
        #expect(try await engine.request("GET", "/jobs", date: Self.ago(-600)).status == 200)
        var tm = tm()
        var now = time(nil) + 5
        gmtime_r(&now, &tm)
        for format in ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"] {
            var buffer = [Int8](repeating: 0, count: 64)
            let n = strftime(&buffer, 64, format, &tm)
            let date = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let r = try await engine.request("GET", "/jobs", date: date)
            #expect(r.status == 200, "\(date): \(r.json)")
        }
    }

    /// The seen nonces live in memory: a request signed before this engine started could have
    /// been accepted by its previous run, so it is refused.
    @Test func aRequestDatedBeforeTheEngineStartedIsRefused() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let r = try await engine.request("GET", "/jobs", date: Self.ago(120))
        #expect(r.status == 403 && Self.code(r) == "RequestTimeTooSkewed" && Self.message(r).contains("before this engine started"),
                "\(r.json)")
    }

    // MARK: acs: replays and nonces

    @Test func anExactReplayIsRefused() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let get = engine.signedRequest("GET", "/jobs?Marker&MaxItemCount=50")
        #expect(try await engine.send(get).status == 200)
        let again = try await engine.send(get)
        #expect(again.status == 403 && Self.code(again) == "SignatureNonceUsed", "\(again.json)")

        let cluster = try await BadInputTests.emptyCluster(engine)
        let post = engine.signedRequest("POST", "/jobs", body: Self.job("once", cluster: cluster))
        #expect(try await engine.send(post).status == 201)
        let replayed = try await engine.send(post)
        #expect(replayed.status == 403 && Self.code(replayed) == "SignatureNonceUsed", "\(replayed.json)")
        #expect(try await Self.jobNames(engine) == ["once"])
    }

    @Test func aNonceReusedOnAnotherRequestIsRefused() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let nonce = UUID().uuidString
        #expect(try await engine.request("GET", "/jobs", nonce: nonce).status == 200)
        let other = try await engine.request("GET", "/clusters", nonce: nonce)
        #expect(other.status == 403 && Self.code(other) == "SignatureNonceUsed", "\(other.json)")
        // Signed without a nonce at all: refused, not let through unchecked.
        let missing = try await engine.request("GET", "/jobs", nonce: "")
        #expect(missing.status == 400 && Self.code(missing) == "MissingSignatureNonce", "\(missing.json)")
    }

    /// A refused request (a wrong body) does not use its nonce up: the real one still goes through.
    @Test func aCapturedPostReplayedWithAnotherBodyIsRefused() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let cluster = try await BadInputTests.emptyCluster(engine)
        let original = Self.job("original", cluster: cluster), swapped = Self.job("swapped", cluster: cluster)

        // As the SDK sends it: `contentMd5` (hex) is not signed.
        let sdk = engine.signedRequest("POST", "/jobs", body: original,
                                       headers: [("contentMd5", BodyDigest.hex(BodyDigest.md5(original)))])
        var swappedSDK = sdk
        swappedSDK.httpBody = swapped
        let wrongDigest = try await engine.send(swappedSDK)
        #expect(wrongDigest.status == 400 && Self.code(wrongDigest) == "InvalidDigest", "\(wrongDigest.json)")
        #expect(try await engine.send(sdk).status == 201)
        // After the original: another body with its own contentMd5 still needs the used nonce.
        swappedSDK.setValue(BodyDigest.hex(BodyDigest.md5(swapped)), forHTTPHeaderField: "contentMd5")
        let afterwards = try await engine.send(swappedSDK)
        #expect(afterwards.status == 403 && Self.code(afterwards) == "SignatureNonceUsed", "\(afterwards.json)")

        // As bcops' client sends it: Content-MD5 (base64) on the signed line.
        let original2 = Self.job("original2", cluster: cluster)
        let bcops = engine.signedRequest("POST", "/jobs", body: original2,
                                         headers: [("Content-MD5", ACSSignature.contentMD5(of: Array(original2)))])
        var swappedBody = bcops
        swappedBody.httpBody = swapped
        let digest = try await engine.send(swappedBody)
        #expect(digest.status == 400 && Self.code(digest) == "InvalidDigest", "\(digest.json)")
        swappedBody.setValue(ACSSignature.contentMD5(of: Array(swapped)), forHTTPHeaderField: "Content-MD5")
        let signature = try await engine.send(swappedBody)
        #expect(signature.status == 403 && Self.code(signature) == "SignatureDoesNotMatch", "\(signature.json)")
        #expect(try await engine.send(bcops).status == 201)

        #expect(try await Self.jobNames(engine) == ["original", "original2"])
    }

    // MARK: OSS

    /// An OSS V1 request signed as oss2 signs it, to send (`engine.send`) once or again.
    static func ossRequest(_ engine: EngineProcess, _ method: String, bucket: String, key: String, query: [(String, String)] = [],
                           body: Data? = nil, date: String? = nil, headers extra: [(String, String)] = []) -> URLRequest {
        var headers: [ACSSignature.Header] = [.init("Date", date ?? WireTime.httpDate(Date()))] + extra.map { .init($0.0, $0.1) }
        if body != nil { headers.append(.init("Content-Type", "application/octet-stream")) }
        let authorization = OSSSignature.authorization(
            accessKeyId: engine.credentials.accessKeyId, secret: engine.credentials.accessKeySecret, method: method,
            resource: OSSSignature.canonicalResource(bucket: bucket, key: key, query: query), headers: headers)
        let q = query.map { $0.1.isEmpty ? $0.0 : "\($0.0)=\($0.1)" }.joined(separator: "&")
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(engine.port)/\(bucket)/\(key)" + (q.isEmpty ? "" : "?" + q))!)
        r.httpMethod = method
        for h in headers { r.setValue(h.value, forHTTPHeaderField: h.name) }
        r.setValue(authorization, forHTTPHeaderField: "Authorization")
        r.httpBody = body
        return r
    }

    static func ossCode(_ r: EngineProcess.HTTPResult) -> String {
        let text = String(decoding: r.body, as: UTF8.self)
        guard let open = text.range(of: "<Code>"), let close = text[open.upperBound...].range(of: "</Code>") else { return "" }
        return String(text[open.upperBound..<close.lowerBound])
    }

    static func content(_ engine: EngineProcess, _ key: String) async throws -> String? {
        let r = try await engine.send(ossRequest(engine, "GET", bucket: "b", key: key))
        return r.status == 200 ? String(decoding: r.body, as: UTF8.self) : nil
    }

    @Test func ossOldFutureAndGarbageDatesAreRefused() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        #expect(try await engine.send(Self.ossRequest(engine, "PUT", bucket: "b", key: "k", body: Data("x".utf8))).status == 200)
        for seconds in [3600.0, 86_400, 315_360_000, -3600] {
            for method in ["GET", "PUT"] {
                let r = try await engine.send(Self.ossRequest(engine, method, bucket: "b", key: "k", body: method == "PUT" ? Data("y".utf8) : nil,
                                                              date: Self.ago(seconds)))
                #expect(r.status == 403 && Self.ossCode(r) == "RequestTimeTooSkewed", "\(method) \(seconds): \(r.status) \(String(decoding: r.body, as: UTF8.self))")
                #expect(r.headers["content-type"] == "application/xml" && r.headers["x-oss-request-id"] != nil)
            }
        }
        let garbage = try await engine.send(Self.ossRequest(engine, "GET", bucket: "b", key: "k", date: "not a date"))
        #expect(garbage.status == 403 && Self.ossCode(garbage) == "AccessDenied", "\(String(decoding: garbage.body, as: UTF8.self))")
        #expect(String(decoding: garbage.body, as: UTF8.self).contains("is not an HTTP date"))
        // x-oss-date, when sent, is the date signed and checked.
        let ossDate = try await engine.send(Self.ossRequest(engine, "GET", bucket: "b", key: "k", headers: [("x-oss-date", Self.ago(7200))]))
        #expect(ossDate.status == 403 && Self.ossCode(ossDate) == "RequestTimeTooSkewed")
        #expect(try await Self.content(engine, "k") == "x")
    }

    @Test func anOSSPutReplayedAfterTheObjectChangedIsRefused() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let captured = Self.ossRequest(engine, "PUT", bucket: "b", key: "data/k.txt", body: Data("first".utf8))
        let put = try await engine.send(captured)
        #expect(put.status == 200)
        // An identical retry (its answer lost) while the object is as it left it: answered, not carried out.
        let retry = try await engine.send(captured)
        #expect(retry.status == 200 && retry.headers["etag"] == put.headers["etag"], "\(retry.status) \(retry.headers)")

        // The owner overwrites it (same second, another body: oss2 signs that alike, and it is legitimate).
        let second = try await engine.send(Self.ossRequest(engine, "PUT", bucket: "b", key: "data/k.txt", body: Data("second".utf8)))
        #expect(second.status == 200)
        let replay = try await engine.send(captured)
        #expect(replay.status == 403 && Self.ossCode(replay) == "RequestReplayed", "\(String(decoding: replay.body, as: UTF8.self))")
        #expect(try await Self.content(engine, "data/k.txt") == "second")

        // Deleted, then the captured PUT would bring it back: refused too.
        #expect(try await engine.send(Self.ossRequest(engine, "DELETE", bucket: "b", key: "data/k.txt")).status == 204)
        let resurrect = try await engine.send(captured)
        #expect(resurrect.status == 403 && Self.ossCode(resurrect) == "RequestReplayed")
        #expect(try await Self.content(engine, "data/k.txt") == nil)
    }

    @Test func anOSSDeleteReplayedAfterTheObjectCameBackIsRefused() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        #expect(try await engine.send(Self.ossRequest(engine, "PUT", bucket: "b", key: "k", body: Data("v1".utf8))).status == 200)
        let captured = Self.ossRequest(engine, "DELETE", bucket: "b", key: "k")
        #expect(try await engine.send(captured).status == 204)
        #expect(try await engine.send(captured).status == 204)  // still gone: a retry changes nothing
        #expect(try await engine.send(Self.ossRequest(engine, "PUT", bucket: "b", key: "k", body: Data("v2".utf8))).status == 200)
        let replay = try await engine.send(captured)
        #expect(replay.status == 403 && Self.ossCode(replay) == "RequestReplayed")
        #expect(try await Self.content(engine, "k") == "v2")

        // Multi-object delete (oss2 signs its Content-MD5): the same.
        let xml = Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>false</Quiet><Object><Key>k</Key></Object></Delete>".utf8)
        let many = Self.ossRequest(engine, "POST", bucket: "b", key: "", query: [("delete", "")], body: xml,
                                   headers: [("Content-MD5", ACSSignature.contentMD5(of: Array(xml)))])
        #expect(try await engine.send(many).status == 200)
        #expect(try await engine.send(Self.ossRequest(engine, "PUT", bucket: "b", key: "k", body: Data("v3".utf8))).status == 200)
        let manyAgain = try await engine.send(many)
        #expect(manyAgain.status == 403 && Self.ossCode(manyAgain) == "RequestReplayed")
        #expect(try await Self.content(engine, "k") == "v3")
    }

    @Test func anOSSBodyNotMatchingItsSignedContentMD5IsRefused() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let body = Data("the real body".utf8)
        var r = Self.ossRequest(engine, "PUT", bucket: "b", key: "k", body: body,
                                headers: [("Content-MD5", ACSSignature.contentMD5(of: Array(body)))])
        r.httpBody = Data("another body!".utf8)
        let swapped = try await engine.send(r)
        #expect(swapped.status == 400 && Self.ossCode(swapped) == "InvalidDigest", "\(String(decoding: swapped.body, as: UTF8.self))")
        #expect(try await Self.content(engine, "k") == nil)
        r.httpBody = body
        #expect(try await engine.send(r).status == 200)
        #expect(try await Self.content(engine, "k") == "the real body")
        // Reads are never refused as repeats.
        let get = Self.ossRequest(engine, "GET", bucket: "b", key: "k")
        for _ in 0..<3 { #expect(try await engine.send(get).status == 200) }
    }

    // MARK: The real clients

    /// The official SDK and oss2, unmodified but for one bad clock, nonce or MD5 at a time.
    @Test func theSDKAndOSS2WorkAndTheirBadRequestsAreRefused() throws {
        #expect(FileManager.default.isExecutableFile(atPath: SDKPython.path), "no SDK venv at \(SDKPython.path): run scripts/test.sh")
        let engine = try EngineProcess()
        defer { engine.stop() }
        let r = try SDKPython.run("signatures.py", [String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("all signature checks passed"), "\(r.output)")
        #expect(!r.output.contains("FAIL"), "\(r.output)")
    }

    // MARK: The window's memory

    @Test func seenNoncesAreForgottenWithTheirWindow() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let window = NonceWindow(capacity: 3, startedAt: start)
        let expires = start.addingTimeInterval(RequestTime.maxSkew)
        #expect(await window.claim(nonce: "a", accessKeyId: "id", date: start, expires: expires, now: start) == .fresh)
        #expect(await window.claim(nonce: "a", accessKeyId: "id", date: start, expires: expires, now: start) == .used)
        #expect(await window.claim(nonce: "a", accessKeyId: "other", date: start, expires: expires, now: start) == .fresh)
        #expect(await window.claim(nonce: "b", accessKeyId: "id", date: start, expires: expires, now: start) == .fresh)
        // Full: refused rather than forgetting a nonce that could then be replayed.
        #expect(await window.claim(nonce: "c", accessKeyId: "id", date: start, expires: expires, now: start) == .full)
        #expect(await window.claim(nonce: "c", accessKeyId: "id", date: start.addingTimeInterval(-1), expires: expires, now: start) == .predates)
        // A minute after the window closed, every entry is gone and the table takes new ones.
        let later = expires.addingTimeInterval(61)
        #expect(await window.claim(nonce: "d", accessKeyId: "id", date: later, expires: later.addingTimeInterval(RequestTime.maxSkew), now: later) == .fresh)
        #expect(await window.count == 1)
    }
}

import Testing
@testable import BCAPI

/// Vectors produced by `oss2` 2.19.1's own `Auth._sign_request` (secret `testsecret`,
/// date `Sat, 21 Nov 2026 10:00:00 GMT`): what `bcs o` and `bcs log` send to the engine.
@Suite struct OSSSignatureTests {
    static let date = ACSSignature.Header("date", "Sat, 21 Nov 2026 10:00:00 GMT")

    struct Vector: Sendable, CustomTestStringConvertible {
        var method: String
        var bucket: String
        var key: String
        var query: [(String, String)]
        var headers: [ACSSignature.Header]
        var authorization: String
        var testDescription: String { "\(method) /\(bucket)/\(key)" }
    }

    static let vectors: [Vector] = [
        .init(method: "GET", bucket: "mybucket", key: "bcscli/logs/stdout.job-1.task.0", query: [], headers: [date],
              authorization: "OSS testid:u9CWBrtwfRwxnAXd+omXVYi44O0="),
        .init(method: "PUT", bucket: "mybucket", key: "a b/ü.txt", query: [],
              headers: [date, .init("Content-Type", "text/plain"), .init("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="),
                        .init("x-oss-meta-b", "2"), .init("X-OSS-Meta-A", "1")],
              authorization: "OSS testid:NgMO7+gmFbSKl0UBIVwuomW2vnw="),
        .init(method: "GET", bucket: "mybucket", key: "",
              query: [("prefix", "bcscli/"), ("delimiter", "/"), ("marker", ""), ("max-keys", "100"), ("encoding-type", "url")],
              headers: [date], authorization: "OSS testid:Qi/B/DDl2nBOcemI00QqF8pqN3s="),
        .init(method: "POST", bucket: "mybucket", key: "", query: [("delete", "")],
              headers: [date, .init("Content-Type", "application/xml")], authorization: "OSS testid:SoBjZ+1+msMQOA+MrcKkiINOfTY="),
    ]

    @Test(arguments: vectors) func matchesOSS2(_ v: Vector) {
        let resource = OSSSignature.canonicalResource(bucket: v.bucket, key: v.key, query: v.query)
        #expect(OSSSignature.authorization(accessKeyId: "testid", secret: "testsecret", method: v.method, resource: resource,
                                           headers: v.headers) == v.authorization)
        #expect(OSSSignature.verify(authorization: v.authorization, secret: "testsecret", method: v.method, resource: resource, headers: v.headers))
    }

    @Test func aTamperedResourceFailsVerification() {
        let v = Self.vectors[0]
        #expect(!OSSSignature.verify(authorization: v.authorization, secret: "testsecret", method: "GET",
                                     resource: "/mybucket/bcscli/logs/stderr.job-1.task.0", headers: v.headers))
        #expect(!OSSSignature.verify(authorization: "acs testid:u9CWBrtwfRwxnAXd+omXVYi44O0=", secret: "testsecret", method: "GET",
                                     resource: "/mybucket/bcscli/logs/stdout.job-1.task.0", headers: v.headers))
    }
}

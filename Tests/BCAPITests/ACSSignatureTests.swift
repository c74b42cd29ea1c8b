import Testing
@testable import BCAPI

/// The reference's test vectors, produced by the official SDK's own signing code.
@Suite struct ACSSignatureTests {
    static func sdkHeaders(region: String = "cn-qingdao", date: String = "Tue, 01 Jan 2019 00:00:00 GMT",
                           nonce: String = "11111111-2222-3333-4444-555555555555", token: String? = nil,
                           extra: [ACSSignature.Header] = []) -> [ACSSignature.Header] {
        var h: [ACSSignature.Header] = [
            .init("Date", date), .init("x-acs-region-id", region), .init("x-acs-access-key-id", "testid"),
            .init("x-acs-signature-method", "HMAC-SHA1"), .init("x-acs-signature-version", "1.0"),
            .init("x-acs-version", "2015-11-11"), .init("x-acs-signature-nonce", nonce),
            .init("Accept", "application/json"), .init("Content-Type", "application/json"),
            .init("User-Agent", "Mozilla/5.0 (Windows NT 6.1)"),
        ]
        if let token { h.append(.init("x-acs-security-token", token)) }
        return h + extra
    }

    struct Vector: Sendable, CustomTestStringConvertible {
        var number: Int
        var method: String
        var target: String
        var headers: [ACSSignature.Header]
        var authorization: String
        var testDescription: String { "#\(number) \(method) \(target)" }
    }

    static let vectors: [Vector] = [
        .init(number: 1, method: "GET", target: "/jobs?Marker&MaxItemCount=50", headers: sdkHeaders(), authorization: "acs testid:GBi+xi7PR7Ebv9XAErRsA9+uHPA="),
        .init(number: 2, method: "POST", target: "/jobs", headers: sdkHeaders() + [.init("contentMd5", "e39b67981981460d77814ab493b66fa6")], authorization: "acs testid:e2pVcI17yQ2uf95OgqXVsqtSPoc="),
        .init(number: 3, method: "PUT", target: "/clusters/cls-x", headers: sdkHeaders() + [.init("contentMd5", "20a9327f284be62148a0e6e39fd1427a")], authorization: "acs testid:79arR6J5WDQWPeVU99qzeOhlxxI="),
        .init(number: 4, method: "POST", target: "/jobs/job-00000000000000000000000000000001/stop", headers: sdkHeaders(), authorization: "acs testid:XX2qitraLH+ws5wWMuxzqLUhO0c="),
        .init(number: 5, method: "GET", target: "/jobs/job-00000000000000000000000000000001/tasks/echo/instances?Marker=0&MaxItemCount=10&State=Running", headers: sdkHeaders(), authorization: "acs testid:H5rkEuKxn7QwSG5GDwGY7q+atZo="),
        .init(number: 6, method: "GET", target: "/apps?Marker=a%2Fb%3Dc%20d&MaxItemCount=50&Scope=Public",
              headers: sdkHeaders(token: "tok123", extra: [.init("x-client-name", "batchcompute-cli"), .init("x-client-version", "1.7.7")]),
              authorization: "acs testid:YB8X+1iwXIeHtdKtZpGUTQUiras="),
        .init(number: 7, method: "GET", target: "/jobs?Marker&MaxItemCount=50",
              headers: sdkHeaders(region: "local", date: "Sat, 21 Nov 2026 19:31:07 GMT", nonce: "1957bf3c-e5e2-11f1-9f66-02fc00000001"),
              authorization: "acs testid:MNgxgLvi85HACxWBbFBFucsOA0g="),
        .init(number: 8, method: "POST", target: "/jobs",
              headers: sdkHeaders(region: "local", date: "Sat, 21 Nov 2026 19:31:07 GMT", nonce: "195e5400-e5e2-11f1-9f66-02fc00000001"),
              authorization: "acs testid:heJixlh+/zwnxaBGpzshFYyGkHU="),
        .init(number: 9, method: "GET", target: "/jobs/job-0000000000000000000000000000ABCD",
              headers: sdkHeaders(region: "local", date: "Sat, 21 Nov 2026 19:31:07 GMT", nonce: "195f051c-e5e2-11f1-9f66-02fc00000001"),
              authorization: "acs testid:Uy1qh6WF9IbLNMjh51OvYJL2ZaE="),
        .init(number: 10, method: "GET", target: "/jobs?Marker&MaxItemCount=100",
              headers: sdkHeaders(date: "Sat, 21 Nov 2026 19:31:13 GMT", nonce: "1cdc0d02-e5e2-11f1-8e8d-02fc00000001",
                                  extra: [.init("x-client-name", "batchcompute-cli"), .init("x-client-version", "1.7.7")]),
              authorization: "acs testid:zu0E3FKQoEsQfdmpESunmb2Jg+s="),
    ]

    @Test(arguments: vectors)
    func signsLikeTheSDK(_ v: Vector) {
        #expect(ACSSignature.authorization(accessKeyId: "testid", secret: "testsecret", method: v.method, target: v.target, headers: v.headers) == v.authorization)
        #expect(ACSSignature.verify(authorization: v.authorization, secret: "testsecret", method: v.method, target: v.target, headers: v.headers))
    }

    @Test func exactStringToSignOfVector6() {
        let v = Self.vectors[5]
        #expect(ACSSignature.stringToSign(method: v.method, target: v.target, headers: v.headers) ==
            "GET\napplication/json\n\napplication/json\nTue, 01 Jan 2019 00:00:00 GMT\nx-acs-access-key-id:testid\nx-acs-region-id:cn-qingdao\nx-acs-security-token:tok123\nx-acs-signature-method:HMAC-SHA1\nx-acs-signature-nonce:11111111-2222-3333-4444-555555555555\nx-acs-signature-version:1.0\nx-acs-version:2015-11-11\n/apps?Marker=a%2Fb%3Dc%20d&MaxItemCount=50&Scope=Public")
    }

    @Test func wrongSecretTamperedTargetOrHeaderFailVerification() {
        let v = Self.vectors[0]
        #expect(!ACSSignature.verify(authorization: v.authorization, secret: "other", method: v.method, target: v.target, headers: v.headers))
        #expect(!ACSSignature.verify(authorization: v.authorization, secret: "testsecret", method: v.method, target: "/jobs?Marker&MaxItemCount=51", headers: v.headers))
        var headers = v.headers
        headers[0] = .init("Date", "Tue, 01 Jan 2019 00:00:01 GMT")
        #expect(!ACSSignature.verify(authorization: v.authorization, secret: "testsecret", method: v.method, target: v.target, headers: headers))
        #expect(!ACSSignature.verify(authorization: "Bearer x", secret: "testsecret", method: v.method, target: v.target, headers: v.headers))
    }

    @Test func queriesAreBuiltLikeTheSDK() {
        #expect(ACSSignature.canonicalQuery([("MaxItemCount", "50"), ("Marker", "")]) == "Marker&MaxItemCount=50")
        #expect(ACSSignature.canonicalQuery([("Scope", "Public"), ("Marker", "a/b=c d"), ("MaxItemCount", "50")]) == "Marker=a%2Fb%3Dc%20d&MaxItemCount=50&Scope=Public")
        #expect(ACSSignature.canonicalQuery([("max_item_count", "1")]) == "max-item-count=1")
    }

    @Test func hmacSHA256MatchesRFC4231Case2() {
        let mac = HMACDigest.sha256.mac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(mac.map { String(format: "%02x", $0) }.joined() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}

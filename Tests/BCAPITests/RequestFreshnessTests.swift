import Foundation
import Testing
@testable import BCAPI

/// The pieces the engine's signature checks are made of: HTTP dates, the 15-minute window, body MD5s.
@Suite struct RequestFreshnessTests {
    @Test func parsesTheThreeHTTPDateForms() {
        let expected = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(WireTime.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == expected)
        #expect(WireTime.parseHTTPDate("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(WireTime.parseHTTPDate("Sun Nov  6 08:49:37 1994") == expected)
        // What the SDK sends (reference §2), and what bcops writes.
        #expect(WireTime.parseHTTPDate("Sat, 21 Nov 2026 19:31:07 GMT")?.timeIntervalSince1970 == 1_795_289_467)
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        #expect(WireTime.parseHTTPDate(WireTime.httpDate(now)) == now)
    }

    @Test func refusesWhatIsNotAnHTTPDate() {
        for text in ["", "yesterday", "0", "1700000000", "2026-11-21T19:31:07Z", "Sat, 21 Nov 2026 19:31:07 +0000",
                     "Sat, 21 Nov 2026 19:31:07", "Sat, 31 Feb 2026 19:31:07 GMT", "Sat, 21 Foo 2026 19:31:07 GMT",
                     "Sat, 21 Nov 2026 24:00:00 GMT", "Sat, 21 Nov 2026 19:60:00 GMT", "Sat, 21 Nov 2026 19:31 GMT",
                     "Xyz, 21 Nov 2026 19:31:07 GMT", "Sat, +1 Nov 2026 19:31:07 GMT", "Sat, 21 Nov 20261 19:31:07 GMT",
                     "Sat, 21 Nov 2026 1:31:07 GMT", "Sat, ٢١ Nov 2026 19:31:07 GMT"] {
            #expect(WireTime.parseHTTPDate(text) == nil, "\(text)")
        }
    }

    @Test func theWindowIsFifteenMinutesEitherWay() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func verdict(_ offset: TimeInterval) -> RequestTime.Verdict { RequestTime.check(WireTime.httpDate(now.addingTimeInterval(offset)), now: now) }
        #expect(verdict(0) == .fresh(date: now, expires: now.addingTimeInterval(900)))
        #expect(verdict(-900) == .fresh(date: now.addingTimeInterval(-900), expires: now))
        #expect(verdict(900) == .fresh(date: now.addingTimeInterval(900), expires: now.addingTimeInterval(1800)))
        #expect(verdict(-901) == .skewed(date: now.addingTimeInterval(-901)))
        #expect(verdict(901) == .skewed(date: now.addingTimeInterval(901)))
        #expect(RequestTime.check("garbage", now: now) == .unparseable)
        #expect(RequestTime.apiError(verdict(-3600), header: "x", now: now)?.code == "RequestTimeTooSkewed")
        #expect(RequestTime.apiError(verdict(-3600), header: "x", now: now)?.status == 403)
        #expect(RequestTime.apiError(.unparseable, header: "x", now: now)?.code == "InvalidDate")
        #expect(RequestTime.apiError(verdict(0), header: "x", now: now) == nil)
    }

    @Test func bodyDigestsAsTheSDKAndOSS2WriteThem() {
        // Reference §5.1, vector 3: the SDK's contentMd5 (hex) of its 45-byte body.
        let body = Array(#"{"Groups": {"group1": {"DesiredVMCount": 3}}}"#.utf8)
        #expect(BodyDigest.hex(BodyDigest.md5(body)) == "20a9327f284be62148a0e6e39fd1427a")
        #expect(BodyDigest.hex(BodyDigest.md5([UInt8]())) == "d41d8cd98f00b204e9800998ecf8427e")
        // oss2.utils.content_md5 (base64) and bcops' Content-MD5 are the same.
        #expect(ACSSignature.contentMD5(of: Array("hello".utf8)) == "XUFAKrxLKna5cZ2REBfFkg==")
        let digest = BodyDigest.md5(body)
        #expect(BodyDigest.parse("20a9327f284be62148a0e6e39fd1427a") == digest)
        #expect(BodyDigest.parse("20A9327F284BE62148A0E6E39FD1427A") == digest)
        #expect(BodyDigest.parse(BodyDigest.base64(digest)) == digest)
        for bad in ["", "xyz", "20a9327f284be62148a0e6e39fd1427", "20a9327f284be62148a0e6e39fd1427g", "AAAA"] {
            #expect(BodyDigest.parse(bad) == nil, "\(bad)")
        }
        let stream = BodyDigest.Stream()
        for chunk in [body[..<10], body[10..<30], body[30...]] { Array(chunk).withUnsafeBytes { stream.update($0) } }
        #expect(stream.finish() == digest)
    }

    /// The SDK hashes a text body as UTF-8 while http.client sends it as Latin-1.
    @Test func theSDKsLatin1BodiesMatchTheirUTF8Digest() {
        let text = #"{"Description": "café"}"#
        let sent = text.unicodeScalars.map { UInt8($0.value) }  // Latin-1 on the wire
        let sdkDigest = BodyDigest.hex(BodyDigest.md5(Array(text.utf8)))
        #expect(BodyDigest.sdkMatches(sdkDigest, body: sent, digest: BodyDigest.md5(sent)))
        #expect(!BodyDigest.sdkMatches(BodyDigest.hex(BodyDigest.md5(Array("other".utf8))), body: sent, digest: BodyDigest.md5(sent)))
    }
}

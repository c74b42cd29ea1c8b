import Testing
@testable import BCClient

/// OSS's XML answers read by element position, not by substring: the request's `Prefix` is not
/// a common prefix, escaped text is decoded, and text that looks like a tag stays text.
@Suite struct OSSAnswerTests {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func aListingGivesKeysCommonPrefixesAndTheNextMarker() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult>
              <Name>b</Name>
              <Prefix>renders/</Prefix>
              <Marker></Marker>
              <Delimiter>/</Delimiter>
              <IsTruncated>true</IsTruncated>
              <NextMarker>renders/z&amp;1</NextMarker>
              <Contents><Key>renders/a &lt;Key&gt;b&lt;/Key&gt;.png</Key><Size>3</Size></Contents>
              <Contents><Key>renders/ spaced </Key></Contents>
              <CommonPrefixes>
                <Prefix>renders/shot1/</Prefix>
              </CommonPrefixes>
            </ListBucketResult>
            """
        let listing = try OSSAnswer.listing(Self.bytes(xml))
        #expect(listing.keys == ["renders/a <Key>b</Key>.png", "renders/ spaced "])
        #expect(listing.commonPrefixes == ["renders/shot1/"])
        #expect(listing.isTruncated)
        #expect(listing.nextMarker == "renders/z&1")
    }

    @Test func theLastPageIsNotTruncated() throws {
        let listing = try OSSAnswer.listing(Self.bytes("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"))
        #expect(listing == OSSAnswer.Listing())
    }

    @Test func xmlThatDoesNotParseIsAnError() {
        #expect(throws: OSSAnswer.Unreadable.self) { try OSSAnswer.listing(Self.bytes("<ListBucketResult><Key>a")) }
        #expect(throws: OSSAnswer.Unreadable.self) { try OSSAnswer.listing(Self.bytes("<ListBucketResult><Key>a</Prefix>")) }
        #expect(throws: OSSAnswer.Unreadable.self) { try OSSAnswer.listing(Self.bytes("<html><body>Bad Gateway</body></html>")) }
    }

    @Test func anErrorGivesItsCodeAndMessageAndAnythingElseNeither() {
        let error = OSSAnswer.failure(Self.bytes("<?xml version=\"1.0\"?>\n<Error>\n  <Code>NoSuchKey</Code>\n  <Message>no &quot;k&quot;</Message>\n</Error>"))
        #expect(error == OSSAnswer.Failure(code: "NoSuchKey", message: "no \"k\""))
        #expect(OSSAnswer.failure(Self.bytes("<html><body>Bad Gateway</body></html>")) == OSSAnswer.Failure())
        #expect(OSSAnswer.failure([]) == OSSAnswer.Failure())
    }
}

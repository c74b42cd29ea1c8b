import BCAPI
import Foundation
import Testing

@Suite struct WireTimeTests {
    @Test func roundTripsTheSDKsFormat() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000.25)
        let text = WireTime.format(date)
        #expect(text == "2023-11-14T22:13:20.250000Z")
        #expect(try #require(WireTime.parse(text)).timeIntervalSince1970 == 1_700_000_000.25)
        #expect(WireTime.parse("2023-11-14T22:13:20Z")?.timeIntervalSince1970 == 1_700_000_000)
    }

    /// The API writes "" for a time not reached yet (a job's EndTime while it runs).
    @Test func emptyOrMalformedTimesAreNil() {
        for text in ["", "Z", ".", "2023-11-14", "yesterday", "2023-11-14T22:13:xxZ"] {
            #expect(WireTime.parse(text) == nil, "\(text)")
        }
    }
}

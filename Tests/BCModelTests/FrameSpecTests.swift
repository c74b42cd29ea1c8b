import Testing
@testable import BCModel

@Suite struct FrameSpecTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        var text: String
        var frames: [Int]
        var testDescription: String { text }
    }

    static let valid: [Valid] = [
        .init(text: "7", frames: [7]),
        .init(text: "0", frames: [0]),
        .init(text: "1-5", frames: [1, 2, 3, 4, 5]),
        .init(text: "5-5", frames: [5]),
        .init(text: "1,3,5-10", frames: [1, 3, 5, 6, 7, 8, 9, 10]),
        .init(text: "1-10x3", frames: [1, 4, 7, 10]),
        .init(text: "1-10x20", frames: [1]),
        .init(text: "2-9x2", frames: [2, 4, 6, 8]),
        .init(text: "10,1,5", frames: [10, 1, 5]),
        // framer.py concatenates items as written: order and duplicates are kept.
        .init(text: "3,1,3", frames: [3, 1, 3]),
        .init(text: "1-3,2-4", frames: [1, 2, 3, 2, 3, 4]),
        .init(text: "007", frames: [7]),
        .init(text: "999999999", frames: [999_999_999]),
    ]

    @Test(arguments: valid)
    func validForms(_ c: Valid) throws {
        let spec = try FrameSpec(parsing: c.text)
        #expect(spec.frames == c.frames)
        #expect(spec.count == c.frames.count)
        #expect(spec.description == c.text)
        #expect(spec.text == c.text)
    }

    @Test func countsOfLargeRangesWithoutListingThem() throws {
        #expect(try FrameSpec(parsing: "1-250").count == 250)
        #expect(try FrameSpec(parsing: "1-100x2").count == 50)
        #expect(try FrameSpec(parsing: "1-100x2").frames.last == 99)
        #expect(try FrameSpec(parsing: "0-99x10,500").count == 11)
        #expect(try FrameSpec(parsing: "1-1000000").count == FrameSpec.maxFrames)
    }

    @Test func segmentsKeepStartEndAndStep() throws {
        let spec = try FrameSpec(parsing: "1-100x2,7")
        #expect(spec.segments == [FrameSpec.Segment(start: 1, end: 100, step: 2), FrameSpec.Segment(start: 7, end: 7, step: 1)])
        #expect(spec.segments[0].count == 50)
    }

    @Test func contiguousRangeIsOnlyThePlainAToBForm() throws {
        #expect(try FrameSpec(parsing: "1-250").isContiguousRange)
        #expect(try FrameSpec(parsing: "1-250x1").isContiguousRange)
        #expect(try !FrameSpec(parsing: "1-250x2").isContiguousRange)
        #expect(try !FrameSpec(parsing: "1,2,3").isContiguousRange)
        #expect(try !FrameSpec(parsing: "1-3,5-7").isContiguousRange)
        #expect(try !FrameSpec(parsing: "7").isContiguousRange)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        var text: String
        var error: FrameSpec.ParseError
        var message: String
        var testDescription: String { "\"\(text)\"" }
    }

    static let invalid: [Invalid] = [
        .init(text: "", error: .empty, message: "must not be empty"),
        .init(text: "1, 3", error: .whitespace, message: "must not contain spaces (write 1,3,5-10)"),
        .init(text: " 1-10", error: .whitespace, message: "must not contain spaces (write 1,3,5-10)"),
        .init(text: "1-10\t", error: .whitespace, message: "must not contain spaces (write 1,3,5-10)"),
        .init(text: "1-x", error: .badItem("1-x", reason: "\"x\" is not a frame number"), message: "\"1-x\": \"x\" is not a frame number"),
        .init(text: "a", error: .badItem("a", reason: "\"a\" is not a frame number"), message: "\"a\": \"a\" is not a frame number"),
        .init(text: "1,a-5", error: .badItem("a-5", reason: "\"a\" is not a frame number"), message: "\"a-5\": \"a\" is not a frame number"),
        .init(text: "10-1", error: .badItem("10-1", reason: "range runs backwards (10 > 1)"), message: "\"10-1\": range runs backwards (10 > 1)"),
        .init(text: "1-100x0", error: .badItem("1-100x0", reason: "step must be at least 1"), message: "\"1-100x0\": step must be at least 1"),
        .init(text: "1-100xa", error: .badItem("1-100xa", reason: "step \"a\" is not a whole number"), message: "\"1-100xa\": step \"a\" is not a whole number"),
        .init(text: "1-100x-2", error: .badItem("1-100x-2", reason: "step \"-2\" is not a whole number"), message: "\"1-100x-2\": step \"-2\" is not a whole number"),
        .init(text: "5x2", error: .badItem("5x2", reason: "a step needs a range such as 1-100x2"), message: "\"5x2\": a step needs a range such as 1-100x2"),
        .init(text: "1-2-3", error: .badItem("1-2-3", reason: "expected a frame (7), a range (1-250) or a stepped range (1-100x2)"),
              message: "\"1-2-3\": expected a frame (7), a range (1-250) or a stepped range (1-100x2)"),
        .init(text: "1234567890", error: .badItem("1234567890", reason: "\"1234567890\" is not a frame number"),
              message: "\"1234567890\": \"1234567890\" is not a frame number"),
        .init(text: "١-٥", error: .badItem("١-٥", reason: "\"١\" is not a frame number"), message: "\"١-٥\": \"١\" is not a frame number"),
        .init(text: "1-999999,1-10", error: .tooMany(1_000_009), message: "add up to 1000009 frames; the limit is 1000000"),
        .init(text: "0-1000000", error: .tooMany(1_000_001), message: "add up to 1000001 frames; the limit is 1000000"),
        // The limit stops the count at the first item that crosses it.
        .init(text: "1-999999999,1-999999999", error: .tooMany(999_999_999), message: "add up to 999999999 frames; the limit is 1000000"),
    ]

    @Test(arguments: invalid)
    func everyError(_ c: Invalid) {
        #expect(throws: c.error) { try FrameSpec(parsing: c.text) }
        #expect(c.error.description == c.message)
    }

    @Test(arguments: ["1,,3", ",1", "1,", ","])
    func emptyItemsBetweenCommas(_ text: String) {
        do {
            _ = try FrameSpec(parsing: text)
            Issue.record("\(text) parsed")
        } catch {
            guard case .badItem(_, let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason == "empty item between commas")
            #expect(error.description.contains(text))
        }
    }
}

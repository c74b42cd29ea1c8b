import Foundation
import Testing
@testable import BCModel

@Suite struct CIDRBlockTests {
    @Test func parsesAddressAndPrefix() throws {
        let block = try #require(CIDRBlock("192.168.1.0/24"))
        #expect(block.address == 0xC0A8_0100)
        #expect(block.prefixLength == 24)
        #expect(block.mask == 0xFFFF_FF00)
        #expect(block.description == "192.168.1.0/24")
        #expect(CIDRBlock("0.0.0.0/0")?.mask == 0)
        #expect(CIDRBlock("255.255.255.255/32")?.mask == UInt32.max)
        #expect(CIDRBlock("10.0.0.0/8")?.description == "10.0.0.0/8")
    }

    @Test(arguments: ["192.168.1.0", "192.168.1.0/33", "192.168.1/24", "192.168.1.256/24", "a.b.c.d/8", "1.2.3.4/",
                      "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/8/8", "1..3.4/8", " 1.2.3.4/8", "1.2.3.4 /8", "1234.1.1.1/8",
                      "1.2.3.4.5/8", "", "/8", "1.2.3.-4/8"])
    func rejectsWhatIsNotACIDRBlock(_ text: String) {
        #expect(CIDRBlock(text) == nil)
    }

    @Test func hostBits() {
        #expect(CIDRBlock("192.168.1.7/24")?.hasHostBits == true)
        #expect(CIDRBlock("10.0.0.1/8")?.hasHostBits == true)
        #expect(CIDRBlock("192.168.1.0/24")?.hasHostBits == false)
        #expect(CIDRBlock("0.0.0.0/0")?.hasHostBits == false)
        #expect(CIDRBlock("10.0.0.1/32")?.hasHostBits == false)
    }

    @Test func containment() throws {
        let vpc = try #require(CIDRBlock("192.168.0.0/16"))
        #expect(vpc.contains(try #require(CIDRBlock("192.168.1.0/24"))))
        #expect(vpc.contains(vpc))
        #expect(!vpc.contains(try #require(CIDRBlock("10.0.0.0/8"))))
        #expect(!vpc.contains(try #require(CIDRBlock("192.169.0.0/24"))))
        // A wider block is never inside a narrower one, even at the same address.
        #expect(!(try #require(CIDRBlock("192.168.1.0/24"))).contains(vpc))
        #expect(try #require(CIDRBlock("0.0.0.0/0")).contains(try #require(CIDRBlock("8.8.8.8/32"))))
    }

    @Test func privateRanges() throws {
        #expect(CIDRBlock.privateRanges.map(\.description) == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])
        func isPrivate(_ s: String) throws -> Bool {
            let b = try #require(CIDRBlock(s))
            return CIDRBlock.privateRanges.contains { $0.contains(b) }
        }
        #expect(try isPrivate("172.31.255.0/24"))
        #expect(try !isPrivate("172.32.0.0/16"))
        #expect(try isPrivate("10.255.0.0/16"))
        #expect(try !isPrivate("11.0.0.0/16"))
        #expect(try !isPrivate("192.168.0.0/15"))
    }
}

@Suite struct NamesTests {
    @Test func problemsInOrderOfCheck() {
        #expect(Names.problem(with: "render-farm") == nil)
        #expect(Names.problem(with: "") == "name must not be empty")
        #expect(Names.problem(with: "", what: "group name") == "group name must not be empty")
        #expect(Names.problem(with: "a.b") == "name \"a.b\" contains \".\"; only letters, digits, _ and - are allowed")
        #expect(Names.problem(with: "1a") == "name \"1a\" must not start with a digit")
        // A bad character is reported before a leading digit.
        #expect(Names.problem(with: "1.a") == "name \"1.a\" contains \".\"; only letters, digits, _ and - are allowed")
        #expect(Names.problem(with: "abcd", maxLength: 3) == "name \"abcd\" is 4 characters long; the limit is 3")
    }

    @Test func lengthIsCountedInCharacters() {
        // 40 "é" are 40 characters (80 bytes): the problem is the character, not the length.
        let name = String(repeating: "é", count: 40)
        #expect(Names.problem(with: name) == "name \"\(name)\" contains \"é\"; only letters, digits, _ and - are allowed")
    }

    /// The JSON Schema's pattern and the validator must agree on every name.
    @Test(arguments: ["a", "A1", "_x", "-x", "x-y_z", "1a", "a b", "a.b", "é", "", "a/b", String(repeating: "n", count: 63),
                      String(repeating: "n", count: 64)])
    func patternAgreesWithProblem(_ name: String) throws {
        let regex = try NSRegularExpression(pattern: Names.pattern)
        let matches = regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
        #expect(matches == (Names.problem(with: name) == nil))
    }
}

@Suite struct SuggestionsTests {
    @Test func editDistance() {
        #expect(Suggestions.editDistance("", "abc") == 3)
        #expect(Suggestions.editDistance("abc", "") == 3)
        #expect(Suggestions.editDistance("abc", "abc") == 0)
        #expect(Suggestions.editDistance("kitten", "sitting") == 3)
        #expect(Suggestions.editDistance("ab", "ba") == 1)
        #expect(Suggestions.editDistance("meduim", "medium") == 1)
        #expect(Suggestions.editDistance("instanceTyp", "instanceType") == 1)
        #expect(Suggestions.editDistance("flaw", "lawn") == Suggestions.editDistance("lawn", "flaw"))
        #expect(Suggestions.editDistance("渲染", "渲") == 1)
    }

    @Test func closestWithinADistanceThatGrowsWithTheWord() {
        #expect(Suggestions.closest(to: "desiredCont", in: ["instanceType", "desiredCount", "resourceType"]) == "desiredCount")
        #expect(Suggestions.closest(to: "ondemand", in: ["OnDemand", "Spot"]) == "OnDemand")
        #expect(Suggestions.closest(to: "Clustr", in: Kind.allCases.map(\.rawValue)) == "Cluster")
        // Words of up to 3 letters allow 1 edit ("Foo" is no typo of "Job"), longer ones 2, 12-letter words 4.
        #expect(Suggestions.closest(to: "abc", in: ["axx"]) == nil)
        #expect(Suggestions.closest(to: "abc", in: ["abx"]) == "abx")
        #expect(Suggestions.closest(to: "Foo", in: ["Job"]) == nil)
        #expect(Suggestions.closest(to: "abc", in: ["xyz"]) == nil)
        #expect(Suggestions.closest(to: "instanceType", in: ["instXXXeType"]) == "instXXXeType")
        #expect(Suggestions.closest(to: "instanceType", in: ["iXXXXXceType"]) == nil)
    }

    @Test func noSuggestionWhenFarOrEmpty() {
        #expect(Suggestions.closest(to: "bogus", in: ["imageId", "groups", "mounts"]) == nil)
        #expect(Suggestions.closest(to: "anything", in: []) == nil)
    }

    @Test func closerAndEarlierCandidatesWin() {
        #expect(Suggestions.closest(to: "spot", in: ["spots", "Spot"]) == "Spot")  // exact ignoring case beats distance 1
        #expect(Suggestions.closest(to: "abcd", in: ["abxx", "abcx"]) == "abcx")
        #expect(Suggestions.closest(to: "ab", in: ["ax", "ay"]) == "ax")
    }

    @Test func hintText() {
        #expect(Suggestions.hint(for: "instanceTyp", in: ["instanceType"]) == "; did you mean \"instanceType\"?")
        #expect(Suggestions.hint(for: "cluster", in: ["Cluster"]) == "; did you mean \"Cluster\"?")
        #expect(Suggestions.hint(for: "Cluster", in: ["Cluster"]) == "")
        #expect(Suggestions.hint(for: "bogus", in: ["imageId"]) == "")
    }
}

@Suite struct FieldPathTests {
    @Test func parsesAndPrintsDottedPaths() {
        let path: FieldPath = "spec.mounts.entries[0].destination"
        #expect(path.components == [.key("spec"), .key("mounts"), .key("entries"), .index(0), .key("destination")])
        #expect(path.description == "spec.mounts.entries[0].destination")
        #expect((FieldPath.root / "spec" / "inputMapping" / "oss://bkt/x/").description == "spec.inputMapping[\"oss://bkt/x/\"]")
        #expect((FieldPath.root / "spec" / "env" / "").description == "spec.env[\"\"]")
        #expect(FieldPath("spec.a").parent == "spec")
        #expect(FieldPath.root.parent == nil)
        #expect(FieldPath("spec.tasks[\"a b\"].command").components == [.key("spec"), .key("tasks"), .key("a b"), .key("command")])
    }
}

import Foundation
import Testing
@testable import BCEngine

/// Listing as OSS pages it: what `bcs o ls` and `bcs o del` walk with NextMarker.
@Suite struct ObjectStoreTests {
    let store = ObjectStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("bcops-oss-\(UUID().uuidString)").path)

    func fill(_ keys: [String]) throws {
        for k in keys { try store.put(Data(k.utf8), at: "oss://b/" + k) }
    }

    @Test func delimiterFoldsDeeperKeysIntoCommonPrefixes() throws {
        try fill(["logs/a.txt", "logs/run1/x", "logs/run1/y", "logs/run2/z", "logs/b.txt", "other"])
        let page = try store.list(bucket: "b", prefix: "logs/", delimiter: "/", marker: "", maxKeys: 100)
        #expect(page.objects.map(\.key) == ["logs/a.txt", "logs/b.txt"])
        #expect(page.commonPrefixes == ["logs/run1/", "logs/run2/"])
        #expect(page.nextMarker == nil)
        #expect(page.objects[0].size == "logs/a.txt".utf8.count)
    }

    @Test func pagingWithMarkersVisitsEveryKeyOnce() throws {
        let keys = (0..<25).map { String(format: "p/%02d", $0) } + ["p/sub/1", "p/sub/2"]
        try fill(keys)
        var seen: [String] = [], marker = "", pages = 0
        repeat {
            let page = try store.list(bucket: "b", prefix: "p/", delimiter: "", marker: marker, maxKeys: 10)
            seen += page.objects.map(\.key)
            pages += 1
            guard let next = page.nextMarker else { break }
            marker = next
        } while pages < 10
        #expect(seen == keys.sorted())
        #expect(pages == 3)
    }

    @Test func aPrefixThatIsNotADirectoryMatchesKeysStartingWithIt() throws {
        try fill(["data/sample1.bam", "data/sample2.bam", "data/ref.fa"])
        let page = try store.list(bucket: "b", prefix: "data/sam", delimiter: "/", marker: "", maxKeys: 100)
        #expect(page.objects.map(\.key) == ["data/sample1.bam", "data/sample2.bam"])
    }

    @Test func deletingTheLastObjectRemovesEmptyFolders() throws {
        try fill(["x/y/z.txt", "keep.txt"])
        #expect(try store.delete("oss://b/x/y/z.txt"))
        #expect(try !store.delete("oss://b/x/y/z.txt"))
        #expect(try store.list(bucket: "b", prefix: "", delimiter: "/", marker: "", maxKeys: 100).commonPrefixes.isEmpty)
        #expect(try store.stat("oss://b/keep.txt") != nil)
    }

    @Test func keysEscapingTheStoreAreRefused() {
        #expect(throws: (any Error).self) { try store.put(Data(), at: "oss://b/../../etc/x") }
        #expect(throws: (any Error).self) { try store.list(bucket: "b", prefix: "../", delimiter: "", marker: "", maxKeys: 10) }
    }
}

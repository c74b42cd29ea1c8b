import BCTestSupport
import Foundation
import Testing

@testable import BCEngine

/// Multi-object delete bodies are read with an XML parser: what XML lets a client write
/// deletes exactly the keys it names, through oss2 and on the reader itself.
@Suite struct OSSDeleteXMLTests {
    @Test func oss2DeletesTheKeysTrickyXMLNames() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let r = try SDKPython.run("oss_delete_xml.py", [String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret])
        #expect(r.status == 0, "\(r.output)")
        #expect(!r.output.contains("FAIL"), "\(r.output)")
        #expect(r.output.contains("ok   deleted the keys named"), "\(r.output)")
    }

    @Test func readerTakesKeysOnlyFromDeleteObjectKey() throws {
        let xml = """
            <Delete><Quiet>true</Quiet><Key>stray</Key><Object><Key>a&amp;b</Key><Other><Key>nested</Key></Other></Object>\
            <Object><Key><![CDATA[<c>]]>d</Key></Object></Delete>
            """
        let request = try OSSDeleteRequest.parse(Data(xml.utf8))
        #expect(request.quiet)
        #expect(request.keys == ["a&b", "<c>d"])
        #expect(try OSSDeleteRequest.parse(Data()).keys == [])
    }

    /// oss2 writes control characters raw; they reach the store (which refuses them by name),
    /// not a parse error.
    @Test func rawControlCharactersInAKeyAreGivenBack() throws {
        let request = try OSSDeleteRequest.parse(Data("<Delete><Object><Key>a\u{0}b\u{1}\tc</Key></Object></Delete>".utf8))
        #expect(request.keys == ["a\u{0}b\u{1}\tc"])
    }

    @Test func aDoctypeIsFoundOnlyInTheProlog() {
        #expect(OSSDeleteRequest.hasDoctype(Data("\u{FEFF}<?xml version=\"1.0\"?>\n<!-- c --><!DOCTYPE d><d/>".utf8)))
        #expect(!OSSDeleteRequest.hasDoctype(Data("<Delete><Key><![CDATA[<!DOCTYPE x>]]></Key></Delete>".utf8)))
        #expect(!OSSDeleteRequest.hasDoctype(Data("<!-- <!DOCTYPE x> --><Delete/>".utf8)))
    }
}

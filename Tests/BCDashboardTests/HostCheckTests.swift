import BCTestSupport
import Foundation
import Testing

/// The dashboard answers only to the names of its listener (DNS rebinding): a page on another
/// site that rebinds its own name to 127.0.0.1 sends that name in `Host` and gets nothing.
@Suite struct HostCheckTests {
    /// The status of a GET with `Host: host` (curl sends the header as given).
    static func status(_ url: String, host: String) throws -> String {
        try ProcessRunner.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: \(host)", url]).stdout
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"))
    func pagesAndObjectsAreRefusedToAForeignHostName() async throws {
        let engine = try EngineProcess(arguments: ["--ui-listen", "127.0.0.1:0"])
        defer { engine.stop() }
        let said = engine.waitForOutput(containing: "/ui/ (actions need a login)", "dashboard not started")
        let r = try #require(said.range(of: "dashboard listening on http://127.0.0.1:"), "\(said)")
        let port = try #require(Int(said[r.upperBound...].prefix { $0.isNumber }))
        for path in ["/ui/rendering", "/ui/finished", "/ui/oss/b/k.png", "/ui/login"] {
            let url = "http://127.0.0.1:\(port)\(path)"
            #expect(try Self.status(url, host: "rebound.example:\(port)") == "403", "\(path) for a foreign name")
            #expect(try Self.status(url, host: "127.0.0.1.rebound.example") == "403", "\(path) for a name that starts like loopback")
        }
        for host in ["127.0.0.1:\(port)", "localhost:\(port)", "LOCALHOST"] {
            #expect(try Self.status("http://127.0.0.1:\(port)/ui/rendering", host: host) == "200", "the loopback name \(host)")
        }
    }
}

import BCClient
import BCTestSupport
import Foundation
import Testing

/// The proxy variables, through a real HTTP proxy on loopback (loopback_servers.py) to the real
/// engine. The engine is named `engine.localhost`: libcurl resolves it to loopback itself, and
/// the proxy maps it there, while the client does not count the name as loopback (which it
/// never proxies).
@Suite(.serialized) struct ProxyTests {
    let s: EngineBehindTLS
    let proxy: LoopbackServer

    init() throws {
        s = try EngineBehindTLS()
        proxy = try LoopbackServer.proxy()
    }

    var proxyURL: String { "http://127.0.0.1:\(proxy.port)" }

    func calls(_ endpoint: String, _ env: [String: String]) async throws -> [String] {
        let before = proxy.logLines.count
        let client = BatchComputeClient(try s.configuration(endpoint, env.merging(["BCOPS_CA_FILE": s.pki.caFile]) { $1 }))
        #expect(try await client.listJobs() == 0)
        return Array(proxy.logLines.dropFirst(before))
    }

    @Test func httpsCallsGoThroughHTTPS_PROXYAndHttps_proxyInATunnel() async throws {
        defer { s.stop(); proxy.stop() }
        let host = "engine.localhost:\(s.tls.port)"
        #expect(try await calls(s.https("engine.localhost"), ["HTTPS_PROXY": proxyURL]) == ["CONNECT \(host)"])
        #expect(try await calls(s.https("engine.localhost"), ["https_proxy": proxyURL]) == ["CONNECT \(host)"])
        // The lower-case name wins, as libcurl reads them (the upper-case one here is dead).
        #expect(try await calls(s.https("engine.localhost"), ["https_proxy": proxyURL, "HTTPS_PROXY": "http://127.0.0.1:1"]) == ["CONNECT \(host)"])
        // ALL_PROXY when the scheme has none.
        #expect(try await calls(s.https("engine.localhost"), ["ALL_PROXY": proxyURL]) == ["CONNECT \(host)"])
    }

    @Test func httpCallsGoThroughHTTP_PROXYAndHttp_proxy() async throws {
        defer { s.stop(); proxy.stop() }
        // Absolute-form requests: the proxy sees the whole URL.
        let target = "GET http://engine.localhost:\(s.engine.port)/jobs?"
        for variable in ["HTTP_PROXY", "http_proxy"] {
            let carried = try await calls(s.http("engine.localhost"), [variable: proxyURL])
            #expect(carried.count == 1 && carried[0].hasPrefix(target), "\(variable): \(carried)")
        }
        // An https proxy variable does not apply to http://.
        #expect(try await calls(s.http("engine.localhost"), ["HTTPS_PROXY": proxyURL]) == [])
    }

    @Test func hostsThatNO_PROXYCoversAreReachedDirectly() async throws {
        defer { s.stop(); proxy.stop() }
        for noProxy in ["engine.localhost", ".localhost", "localhost", "example.com, engine.localhost", "*"] {
            #expect(try await calls(s.https("engine.localhost"), ["HTTPS_PROXY": proxyURL, "NO_PROXY": noProxy]) == [], "NO_PROXY=\(noProxy)")
            #expect(try await calls(s.http("engine.localhost"), ["http_proxy": proxyURL, "no_proxy": noProxy]) == [], "no_proxy=\(noProxy)")
        }
        // A list that does not cover the host leaves it to the proxy.
        #expect(try await calls(s.https("engine.localhost"), ["HTTPS_PROXY": proxyURL, "NO_PROXY": "example.com,10.0.0.0/8"]).count == 1)
    }

    @Test func loopbackIsNeverProxied() async throws {
        defer { s.stop(); proxy.stop() }
        let all = ["HTTPS_PROXY": proxyURL, "HTTP_PROXY": proxyURL, "ALL_PROXY": proxyURL]
        #expect(try await calls(s.https(), all) == [])
        #expect(try await calls(s.https("localhost"), all) == [])
        #expect(try await calls(s.http(), all) == [])
    }

    @Test func aProxyThatCannotBeReachedIsNamedWithItsVariableAndNoPassword() async throws {
        defer { s.stop(); proxy.stop() }
        let endpoint = s.https("engine.localhost")
        let client = BatchComputeClient(try s.configuration(endpoint, ["HTTPS_PROXY": "http://user:s3cret@127.0.0.1:1", "BCOPS_CA_FILE": s.pki.caFile]))
        let error = await #expect(throws: APIError.self) { try await client.listJobs() }
        #expect(error?.code == "EndpointUnreachable")
        #expect(error?.description == """
            cannot reach the engine at \(endpoint) (address from env BCOPS_ENDPOINT) through the proxy http://127.0.0.1:1 \
            (from HTTPS_PROXY): connection refused; check that proxy, or add engine.localhost to NO_PROXY to connect directly
            """, "\(String(describing: error))")
    }

    @Test func aProxyThatRefusesTheTunnelIsNamed() async throws {
        defer { s.stop(); proxy.stop() }
        // The proxy carries loopback only: it refuses a tunnel anywhere else with 403.
        let endpoint = "https://engine.example:\(s.tls.port)"
        let client = BatchComputeClient(try s.configuration(endpoint, ["HTTPS_PROXY": proxyURL, "BCOPS_CA_FILE": s.pki.caFile]))
        let error = await #expect(throws: APIError.self) { try await client.listJobs() }
        #expect(error?.description.contains("through the proxy \(proxyURL) (from HTTPS_PROXY): the proxy answered CONNECT with 403") == true,
                "\(String(describing: error))")
        #expect(proxy.logLines == ["CONNECT engine.example:\(s.tls.port)"])
    }

    @Test func bcplanGoesThroughHTTPS_PROXYToAnHTTPSEngine() throws {
        defer { s.stop(); proxy.stop() }
        let env = ["BCOPS_ENDPOINT": s.https("engine.localhost"), "BCOPS_ACCESS_KEY_ID": s.engine.credentials.accessKeyId,
                   "BCOPS_ACCESS_KEY_SECRET": s.engine.credentials.accessKeySecret, "BCOPS_DATA": s.engine.dataDirectory,
                   "BCOPS_CA_FILE": s.pki.caFile, "HTTPS_PROXY": proxyURL, "NO_PROXY": "", "no_proxy": "", "https_proxy": ""]
        let planned = try ProcessRunner.run(ProcessRunner.product("bcplan"), ["examples/fixed-cluster", "-no-color"], environment: env)
        #expect(planned.status == 0 && planned.stdout.contains("Plan: "), "\(planned.combined)")
        #expect(!proxy.logLines.isEmpty && proxy.logLines.allSatisfy { $0 == "CONNECT engine.localhost:\(s.tls.port)" }, "\(proxy.logLines)")
    }
}

import BCClient
import Testing

/// Which proxy the environment gives an endpoint: the variables, their precedence, NO_PROXY's
/// forms, and loopback. ProxyTests sends real calls through a real proxy; these cover the rules.
@Suite struct ProxyRouteTests {
    func route(_ scheme: String, _ host: String, _ env: [String: String]) -> String? {
        ProxyRoute.resolve(scheme: scheme, host: host, environment: env).map { "\($0.variable)=\($0.url)" }
    }

    @Test func eachSchemeHasItsVariablesLowerCaseFirstThenALL_PROXY() {
        let env = ["HTTPS_PROXY": "http://a:1", "https_proxy": "http://b:1", "HTTP_PROXY": "http://c:1", "ALL_PROXY": "http://d:1"]
        #expect(route("https", "batch.example.com", env) == "https_proxy=http://b:1")
        #expect(route("https", "batch.example.com", env.filter { $0.key != "https_proxy" }) == "HTTPS_PROXY=http://a:1")
        #expect(route("http", "batch.example.com", env) == "HTTP_PROXY=http://c:1")
        #expect(route("http", "batch.example.com", ["ALL_PROXY": "http://d:1", "all_proxy": "http://e:1"]) == "all_proxy=http://e:1")
        #expect(route("https", "batch.example.com", ["HTTP_PROXY": "http://c:1"]) == nil)
        // Set but empty is unset.
        #expect(route("https", "batch.example.com", ["https_proxy": "", "HTTPS_PROXY": "http://a:1"]) == "HTTPS_PROXY=http://a:1")
        #expect(route("https", "batch.example.com", [:]) == nil)
    }

    @Test func loopbackIsAlwaysDirect() {
        let env = ["HTTPS_PROXY": "http://a:1", "HTTP_PROXY": "http://a:1", "ALL_PROXY": "http://a:1"]
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]"] {
            #expect(route("https", host, env) == nil, "\(host)")
            #expect(route("http", host, env) == nil, "\(host)")
        }
        #expect(route("https", "128.0.0.1", env) != nil)
        #expect(route("https", "engine.localhost", env) != nil)
    }

    @Test func noProxyNamesAddressesRangesAndStar() {
        func direct(_ host: String, _ list: String) -> Bool {
            route("https", host, ["HTTPS_PROXY": "http://a:1", "NO_PROXY": list]) == nil
        }
        #expect(direct("api.example.com", "example.com"))
        #expect(direct("api.example.com", ".example.com"))
        #expect(direct("example.com", "example.com"))
        #expect(direct("API.Example.COM", "example.com"))
        #expect(!direct("badexample.com", "example.com"))
        #expect(direct("b.example.org", "example.com, b.example.org"))
        #expect(direct("b.example.org", "example.com b.example.org"))
        #expect(direct("anything", "*"))
        #expect(direct("10.1.2.3", "10.0.0.0/8"))
        #expect(!direct("11.1.2.3", "10.0.0.0/8"))
        #expect(direct("192.168.4.7", "192.168.4.7"))
        #expect(!direct("192.168.4.8", "192.168.4.7"))
        #expect(direct("fd00::5", "fd00::/8"))
        #expect(!direct("fe80::5", "fd00::/8"))
        #expect(!direct("10.1.2.3", "example.com"))
        // no_proxy first, as libcurl reads it.
        #expect(route("https", "a.example.com", ["HTTPS_PROXY": "http://a:1", "no_proxy": "example.com", "NO_PROXY": "other"]) == nil)
    }

    @Test func messagesShowTheProxyWithoutItsPassword() {
        #expect(ProxyRoute(url: "http://user:s3cret@proxy:3128", variable: "HTTPS_PROXY").redactedURL == "http://proxy:3128")
        #expect(ProxyRoute(url: "proxy:3128", variable: "HTTPS_PROXY").redactedURL == "proxy:3128")
    }
}

import BCClient
import BCTestSupport
import Foundation
import Testing

/// https:// endpoints: the real engine behind a TLS terminator whose certificate the test's own
/// CA signed. Trust comes from the system store or `BCOPS_CA_FILE`, and is never skipped.
@Suite(.serialized) struct TLSTests {
    @Test func anEngineWhoseCAIsNotTrustedIsRefusedAndTheErrorSaysHowToTrustIt() async throws {
        let s = try EngineBehindTLS()
        defer { s.stop() }
        let client = BatchComputeClient(try s.configuration(s.https()))
        let error = await #expect(throws: APIError.self) { try await client.listJobs() }
        #expect(error?.code == "EndpointUnreachable")
        let message = error?.description ?? ""
        #expect(message.hasPrefix("the engine at \(s.https()) (address from env BCOPS_ENDPOINT) is not trusted (the system store does not vouch for it): "),
                "\(message)")
        #expect(message.contains("certificate"), "the TLS library's words: \(message)")
        #expect(message.hasSuffix("give the CA that signed its certificate with BCOPS_CA_FILE=PEM (or --ca-file), or add it to the system store"),
                "\(message)")
        // The handshake was refused before any request was sent.
        #expect(s.tls.logLines.isEmpty)
    }

    @Test func theCAFileMakesTheSignedCallsWorkOverHTTPS() async throws {
        let s = try EngineBehindTLS()
        defer { s.stop() }
        let c = try s.configuration(s.https(), ["BCOPS_CA_FILE": s.pki.caFile])
        #expect(c.scheme == "https" && c.caFile == s.pki.caFile)
        let client = BatchComputeClient(c)
        #expect(try await client.listJobs() == 0)
        // A body, signed with its Content-MD5, and read back (OSS on the same port).
        let oss = OSSClient(client)
        let bytes = Array("over TLS\n".utf8)
        try await oss.put(bytes, at: "oss://tls-test/a.txt")
        #expect(try await oss.get("oss://tls-test/a.txt") == bytes)
        #expect(try await oss.list("oss://tls-test/") == ["oss://tls-test/a.txt"])
        // The certificate names engine.localhost too (which libcurl resolves to loopback).
        #expect(try await BatchComputeClient(try s.configuration(s.https("engine.localhost"), ["BCOPS_CA_FILE": s.pki.caFile])).listJobs() == 0)
    }

    @Test func aCAFileThatDidNotSignTheCertificateIsRefused() async throws {
        let s = try EngineBehindTLS()
        defer { s.stop() }
        let other = try s.pki.otherCA()
        let client = BatchComputeClient(try s.configuration(s.https(), ["BCOPS_CA_FILE": other]))
        let error = await #expect(throws: APIError.self) { try await client.listJobs() }
        #expect(error?.description.contains("is not trusted (the CA file \(other) does not vouch for it)") == true, "\(String(describing: error))")
    }

    @Test func aCertificateThatDoesNotNameTheHostIsRefused() async throws {
        let s = try EngineBehindTLS()
        defer { s.stop() }
        // other.localhost is loopback too, but the certificate does not name it.
        let endpoint = s.https("other.localhost")
        let client = BatchComputeClient(try s.configuration(endpoint, ["BCOPS_CA_FILE": s.pki.caFile]))
        let error = await #expect(throws: APIError.self) { try await client.listJobs() }
        #expect(error?.description.hasPrefix("the engine at \(endpoint) (address from env BCOPS_ENDPOINT) is not trusted") == true,
                "\(String(describing: error))")
        #expect(error?.description.contains("other.localhost") == true, "\(String(describing: error))")
    }

    @Test func anUnreadableCAFileIsAConfigurationError() throws {
        let s = try EngineBehindTLS()
        defer { s.stop() }
        #expect { try s.configuration(s.https(), ["BCOPS_CA_FILE": "/nonexistent/ca.pem"]) } throws: { error in
            "\(error)".hasPrefix("BCOPS_CA_FILE: cannot read /nonexistent/ca.pem")
        }
    }

    @Test func plainHTTPOnTheHTTPSPortSaysTheHandshakeFailed() async throws {
        let s = try EngineBehindTLS()
        defer { s.stop() }
        // https:// to the engine's own port, which speaks plain HTTP.
        let endpoint = "https://127.0.0.1:\(s.engine.port)"
        let client = BatchComputeClient(try s.configuration(endpoint, ["BCOPS_CA_FILE": s.pki.caFile]))
        let error = await #expect(throws: APIError.self) { try await client.listJobs() }
        #expect(error?.code == "EndpointUnreachable")
        #expect(error?.description.hasPrefix("no engine at \(endpoint) (address from env BCOPS_ENDPOINT; TLS handshake failed: ") == true,
                "\(String(describing: error))")
    }

    @Test func bcplanReachesAnHTTPSEngineWithTheCAFile() throws {
        let s = try EngineBehindTLS()
        defer { s.stop() }
        let env = ["BCOPS_ENDPOINT": s.https(), "BCOPS_ACCESS_KEY_ID": s.engine.credentials.accessKeyId,
                   "BCOPS_ACCESS_KEY_SECRET": s.engine.credentials.accessKeySecret, "BCOPS_DATA": s.engine.dataDirectory]
        let refused = try ProcessRunner.run(ProcessRunner.product("bcplan"), ["examples/fixed-cluster", "-no-color"], environment: env)
        #expect(refused.status == 1 && refused.stderr.contains("is not trusted"), "\(refused.combined)")
        let planned = try ProcessRunner.run(ProcessRunner.product("bcplan"), ["examples/fixed-cluster", "-no-color"],
                                            environment: env.merging(["BCOPS_CA_FILE": s.pki.caFile]) { $1 })
        #expect(planned.status == 0 && planned.stdout.contains("Plan: "), "\(planned.combined)")
    }
}

import BCClient
import BCTestSupport
import Foundation
import Testing

/// Keep-alive, and the failures every command reports: refused, closed without an answer, no
/// answer in time. The words are the ones the swift-nio transport used, so the commands'
/// messages read as before (NewcomerErrorsTests checks them through the executables).
@Suite(.serialized) struct TransportTests {
    @Test func connectionsAreKeptAliveAndReused() async throws {
        let s = try EngineBehindTLS()
        defer { s.stop() }
        let c = try s.configuration(s.https(), ["BCOPS_CA_FILE": s.pki.caFile])
        // One caller after another: one connection, so one TLS handshake.
        let one = BatchComputeClient(c)
        for _ in 0..<20 { #expect(try await one.listJobs() == 0) }
        #expect(s.tls.logLines.count == 1, "\(s.tls.logLines)")
        // 8 callers at once on 4 connections: never more than 4, however many calls.
        let four = BatchComputeClient(c, maxConnections: 4)
        for _ in 0..<5 {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await four.listJobs() } }
                for try await n in group { #expect(n == 0) }
            }
        }
        #expect(s.tls.logLines.count <= 1 + 4, "\(s.tls.logLines)")
    }

    @Test func aRefusedConnectionSaysConnectionRefused() async throws {
        let port = try LoopbackSocket.closedPort()
        let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(port)", accessKeyId: "a", accessKeySecret: "b",
                                                                source: .environment))
        let error = await #expect(throws: APIError.self) { try await client.listJobs() }
        #expect(error?.code == "EndpointUnreachable")
        #expect(error?.description == """
            no engine at http://127.0.0.1:\(port) (address from env BCOPS_ENDPOINT; connection refused): \
            start one with `bcctl engine serve --data DIR --listen 127.0.0.1:\(port)`, or set BCOPS_ENDPOINT
            """, "\(String(describing: error))")
    }

    @Test func aServerThatClosesWithoutAnsweringSaysSo() async throws {
        let socket = try LoopbackSocket()
        socket.acceptAndClose()
        let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(socket.port)", accessKeyId: "a", accessKeySecret: "b"))
        let error = await #expect(throws: APIError.self) { try await client.listJobs() }
        #expect(error?.description.contains("(the server closed the connection before answering)") == true, "\(String(describing: error))")
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        // Listening, never accepting: the kernel completes the connection, nobody answers.
        let socket = try LoopbackSocket()
        let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(socket.port)", accessKeyId: "a", accessKeySecret: "b"),
                                        timeoutSeconds: 1)
        let error = await #expect(throws: APIError.self) { try await client.listJobs() }
        #expect(error?.description.contains("(no answer within 1 s)") == true, "\(String(describing: error))")
    }

    @Test func plainHTTPReachesAnHTTPServer() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        // Unsigned: the engine answers with its error, which is an answer all the same.
        let response = try await PlainHTTP.send("GET", "http://127.0.0.1:\(engine.port)/jobs")
        #expect(response.status == 400 || response.status == 403, "\(response.status)")
        #expect(!response.headers["content-type"].isEmpty && !response.body.isEmpty)
        await #expect(throws: TransportError.self) { try await PlainHTTP.send("BREW", "http://127.0.0.1:\(engine.port)/") }
    }
}

/// A TCP socket listening on a free loopback port, closed with the value.
final class LoopbackSocket: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { close(fd); throw FixtureError("cannot listen on loopback") }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// A port nothing listens on: a free one, whose socket is closed again.
    static func closedPort() throws -> Int {
        try LoopbackSocket().port
    }

    /// Accepts connections and closes each at once, on a thread of its own, until the socket closes.
    func acceptAndClose() {
        let fd = fd
        Thread {
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                close(c)
            }
        }.start()
    }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

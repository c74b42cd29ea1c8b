import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP request as the client sends it: the body is already serialized and signed.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var target: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: HTTPMethod, target: String, headers: [(String, String)], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
}

/// Transport failures (the server never answered); API errors are answers and come back as responses.
public enum TransportError: Error, Sendable, CustomStringConvertible {
    case connect(host: String, port: Int, underlying: String)
    case closed
    case timedOut(seconds: Int)

    public var description: String {
        switch self {
        case .connect(let host, let port, let why): "cannot connect to \(host):\(port): \(why)"
        case .closed: "the server closed the connection before answering"
        case .timedOut(let s): "no answer within \(s) s"
        }
    }
}

/// Keep-alive HTTP/1.1 connections to one server, at most `maxConnections` open at once;
/// callers beyond that wait for a connection to come back. One request per connection at a
/// time, no pipelining: simple, and what the engine and BatchCompute expect.
actor HTTPConnectionPool {
    let host: String
    let port: Int
    let maxConnections: Int
    let timeoutSeconds: Int
    private var idle: [HTTPConnection] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(host: String, port: Int, maxConnections: Int, timeoutSeconds: Int) {
        self.host = host
        self.port = port
        self.maxConnections = max(1, maxConnections)
        self.timeoutSeconds = timeoutSeconds
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        // A kept-alive connection the server closed meanwhile fails at once: retry on a fresh one.
        for attempt in 0..<2 {
            let connection = try await acquire()
            do {
                let response = try await connection.send(request, timeoutSeconds: timeoutSeconds)
                release(connection, reusable: response.headers["connection"].first?.lowercased() != "close")
                return response
            } catch TransportError.closed where attempt == 0 && connection.reused {
                release(connection, reusable: false)
            } catch {
                release(connection, reusable: false)
                throw error
            }
        }
        throw TransportError.closed
    }

    private func acquire() async throws -> HTTPConnection {
        while true {
            while let c = idle.popLast() {
                if c.isActive { return c }
                open -= 1
            }
            if open < maxConnections {
                open += 1
                do {
                    return try await HTTPConnection.connect(host: host, port: port)
                } catch {
                    open -= 1
                    wakeOne()
                    throw TransportError.connect(host: host, port: port, underlying: "\(error)")
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func release(_ c: HTTPConnection, reusable: Bool) {
        if reusable && c.isActive {
            c.reused = true
            idle.append(c)
        } else {
            open -= 1
            c.close()
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    /// The idle connections close with the pool (the client that owns it is gone), without a
    /// task that could outlive the process.
    deinit {
        for c in idle { c.close() }
    }
}

/// One TCP connection with NIO's HTTP/1.1 codec and a handler that answers one request at a time.
final class HTTPConnection: @unchecked Sendable {
    let channel: Channel
    /// Set by the pool (on its actor) when the connection goes back to the idle list.
    var reused = false

    init(channel: Channel) { self.channel = channel }

    var isActive: Bool { channel.isActive }

    static func connect(host: String, port: Int) async throws -> HTTPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ExchangeHandler())
                }
            }
            .connect(host: host, port: port).get()
        return HTTPConnection(channel: channel)
    }

    func send(_ request: HTTPRequest, timeoutSeconds: Int) async throws -> HTTPResponse {
        let promise = channel.eventLoop.makePromise(of: HTTPResponse.self)
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(Int64(timeoutSeconds))) {
            promise.fail(TransportError.timedOut(seconds: timeoutSeconds))
        }
        channel.writeAndFlush(Exchange(request: request, promise: promise), promise: nil)
        defer { timeout.cancel() }
        return try await promise.futureResult.get()
    }

    func close() { channel.close(promise: nil) }
}

/// A request and the promise its response completes.
struct Exchange: Sendable {
    var request: HTTPRequest
    var promise: EventLoopPromise<HTTPResponse>
}

/// Writes a request, collects the response parts, completes the exchange's promise.
final class ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Exchange
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<HTTPResponse>?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        pending = exchange.promise
        head = nil
        body = []
        let r = exchange.request
        var headers = HTTPHeaders(r.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(r.body.count))
        let requestHead = HTTPRequestHead(version: .http1_1, method: r.method, uri: r.target, headers: headers)
        context.write(wrapOutboundOut(.head(requestHead)), promise: nil)
        if !r.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: r.body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body(var buffer): body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head, let pending else { return }
            self.pending = nil
            pending.succeed(HTTPResponse(status: Int(head.status.code), headers: head.headers, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.fail(TransportError.closed)
        pending = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        pending?.fail(error)
        pending = nil
        context.close(promise: nil)
    }
}

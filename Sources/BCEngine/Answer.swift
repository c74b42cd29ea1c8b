import BCAPI
import Foundation
import Hummingbird

/// A contract type as a request's answer: the one place the engine's JSON answers are written
/// (status, `Content-Type`, body). Handlers return the contract's types; how they become bytes
/// is decided here, once. Foundation's JSONEncoder writes them: measured against the
/// hand-written writer it used to be (`bcbench encode`, docs/ARCHITECTURE.md "Contract").
struct Answer<Body: Encodable & Sendable>: ResponseGenerator {
    var body: Body
    var status: HTTPResponse.Status

    init(_ body: Body, status: HTTPResponse.Status = .ok) {
        self.body = body
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { try response() }

    func response() throws -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(try AnswerEncoding.encode(body))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}

/// How answers become bytes: compact JSON, keys in no particular order (clients read them by
/// name) and `/` unescaped (labels are `bcops.io/…`).
public enum AnswerEncoding {
    /// One encoder for every request: its options never change after this, and `encode` keeps
    /// no state between calls, so sharing it is safe and saves a setup per answer.
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()

    public static func encode<T: Encodable>(_ value: T) throws -> Data { try encoder.encode(value) }
}

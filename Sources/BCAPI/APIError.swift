/// An error as BatchCompute answers it: an HTTP status and `{"Code", "Message", "RequestId"}`.
/// The one error type of the contract: the engine maps its domain errors to it at its edge,
/// and the client reads every error answer (and its own transport failures) into it.
public struct APIError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    /// The engine's `x-acs-request-id`; empty before the error was answered.
    public var requestId: String

    public init(_ status: Int, _ code: String, _ message: String) {
        self.init(status: status, code: code, message: message, requestId: "")
    }

    public init(status: Int, code: String, message: String, requestId: String) {
        self.status = status; self.code = code; self.message = message; self.requestId = requestId
    }

    public var description: String {
        // An engine that does not answer: the sentence says it all (ClientConfiguration.unreachableMessage).
        if code == APIError.endpointUnreachable { return message }
        return requestId.isEmpty ? "\(code): \(message)" : "\(code): \(message) (status \(status), request \(requestId))"
    }

    /// The code of a transport failure: the engine never answered.
    public static let endpointUnreachable = "EndpointUnreachable"

    /// The body's shape on the wire; the status travels as the HTTP status.
    enum CodingKeys: String, CodingKey { case code = "Code", message = "Message", requestId = "RequestId" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = 0
        code = try c.decodeIfPresent(String.self, forKey: .code) ?? ""
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
        requestId = try c.decodeIfPresent(String.self, forKey: .requestId) ?? ""
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(requestId, forKey: .requestId)
    }

    public static func notFound(_ what: String) -> APIError {
        APIError(404, "InvalidResource.NotFound", "Specified resource is not found: \(what).")
    }
    public static func stateConflict(_ state: String) -> APIError {
        APIError(409, "StateConflict", "User operation is invalid. The current resource state is \(state).")
    }
    public static func invalid(_ parameter: String, _ detail: String) -> APIError {
        APIError(400, "Invalid\(parameter)", "Specified parameter \(parameter) is not valid: \(detail)")
    }
    public static func missing(_ parameter: String) -> APIError {
        APIError(400, "Missing\(parameter)", "\(parameter) is mandatory for this action.")
    }
    public static let invalidJSON = APIError(400, "InvalidJsonFormat", "The request body has an invalid json format.")
    public static func forbidden(_ detail: String) -> APIError {
        APIError(403, "Forbidden", "User not authorized to operate on the specified resource: \(detail)")
    }
}

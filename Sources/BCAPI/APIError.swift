/// An error as BatchCompute answers it: an HTTP status and `{"Code", "Message", "RequestId"}`.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String

    public init(_ status: Int, _ code: String, _ message: String) {
        self.status = status; self.code = code; self.message = message
    }

    public var description: String { "\(code): \(message)" }

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

import Foundation
import HTTPTypes
import Hummingbird

/// An answer that is not a success, as Cromwell writes it: `{"status": "fail", "message": …}`
/// with the HTTP status that says whose fault it is.
public struct CromwellFailure: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    public var description: String { message }

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func badRequest(_ message: String) -> CromwellFailure { .init(.badRequest, message) }
    static func unknown(_ id: String) -> CromwellFailure { .init(.notFound, "Unrecognized workflow ID: \(id)") }
    static func invalidId(_ id: String) -> CromwellFailure { .init(.badRequest, "Invalid workflow ID: '\(id)'.") }

    /// The body Cromwell's clients read.
    struct Body: Codable, Sendable {
        var status = "fail"
        var message: String
    }

    var response: Response { CromwellAnswer.json(Body(message: message), status: status) }
}

/// Every error leaves as Cromwell's failure shape: ours with their status, Hummingbird's (no
/// such route, a body too large) with theirs, anything else as a 500 naming it.
struct FailureMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let failure as CromwellFailure {
            return failure.response
        } catch let error as HTTPError {
            return CromwellFailure(error.status, error.body ?? "\(error.status.reasonPhrase)").response
        } catch {
            return CromwellFailure(.internalServerError, "\(error)").response
        }
    }
}

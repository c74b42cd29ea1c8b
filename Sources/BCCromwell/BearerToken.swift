import BCAPI
import Foundation
import Hummingbird

/// With `--cromwell-token-file`, every request carries `Authorization: Bearer <token>`:
/// Cromwell itself has no authentication and is kept on loopback, so off loopback bcops asks
/// for this one secret (compared in constant time) rather than serving workflows to anyone.
struct BearerToken<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let given = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard given.hasPrefix(prefix), HMACDigest.constantTimeEqual(Array(given.dropFirst(prefix.count).utf8), Array(token.utf8)) else {
            return CromwellFailure(.unauthorized, "this Cromwell API needs Authorization: Bearer <token> (the token in --cromwell-token-file)").response
        }
        return try await next(request, context)
    }
}

import HTTPTypes
import Hummingbird

/// Every answer, errors too: the Content-Security-Policy and `nosniff`.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var csp: HTTPField.Name { HTTPField.Name("Content-Security-Policy")! }
    static var nosniff: HTTPField.Name { HTTPField.Name("X-Content-Type-Options")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let text = status == .notFound ? "Not found." : "The dashboard could not read this: \(error)"
            response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "<!DOCTYPE html><p>\(HTML.esc(text))</p>")))
        }
        response.headers[Self.csp] = Dashboard.contentSecurityPolicy
        response.headers[Self.nosniff] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"  // not no-referrer: with it, browsers send `Origin: null` on the action forms
        return response
    }
}

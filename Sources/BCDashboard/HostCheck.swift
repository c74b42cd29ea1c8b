import BCAPI
import HTTPTypes
import Hummingbird

/// Refuses requests whose `Host` is not a name of the dashboard's listener. Reads are open on
/// loopback, so without this a web page that rebinds its own DNS name to 127.0.0.1 could read
/// every job, log and OSS object through the visitor's browser (DNS rebinding).
struct HostCheck<Context: RequestContext>: RouterMiddleware {
    let names: ListenerNames

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let authority = request.head.authority, !names.answersTo(authority) {
            let text = "Host \(authority) is not a name of this dashboard: open it by the address it listens on."
            return Response(status: .forbidden, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "<!DOCTYPE html><p id=\"wrong-host\">\(HTML.esc(text))</p>")))
        }
        return try await next(request, context)
    }
}

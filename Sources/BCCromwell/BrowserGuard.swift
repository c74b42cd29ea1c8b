import BCAPI
import HTTPTypes
import Hummingbird

/// Refuses what a web page can make a browser send. On loopback the API needs no login (as
/// Cromwell's), and a multipart POST is a "simple" cross-origin request: without this, any page
/// the user visits could submit a workflow, whose commands run on this host. Cromwell's clients
/// (cromshell, cromwell-tools, curl) send no `Origin` and no `Sec-Fetch-Site`, and name the
/// listener in `Host`; a page that rebinds its own DNS name to 127.0.0.1 sends its name there.
struct BrowserGuard<Context: RequestContext>: RouterMiddleware {
    let names: ListenerNames

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let authority = request.head.authority, !names.answersTo(authority) {
            return CromwellFailure(.forbidden, "Host \(authority) is not a name of this Cromwell API: use the address it listens on").response
        }
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased(), site != "same-origin", site != "none" {
            return CromwellFailure(.forbidden, "Sec-Fetch-Site: \(site): this Cromwell API does not answer web pages of other sites").response
        }
        if let origin = request.headers[HTTPField.Name("Origin")!]?.lowercased() {
            let own = request.head.authority.map { ["http://" + $0.lowercased(), "https://" + $0.lowercased()].contains(origin) } ?? false
            if !own {
                return CromwellFailure(.forbidden, "Origin \(origin) is not this Cromwell API's: it does not answer web pages of other origins").response
            }
        }
        return try await next(request, context)
    }
}

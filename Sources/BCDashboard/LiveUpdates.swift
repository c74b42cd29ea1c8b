import HTTPTypes
import Hummingbird

/// Live updates by polling with ETags: every page carries an ETag (a hash of its HTML), and
/// /ui/static/live.js asks for the page again with If-None-Match every `data-poll` seconds;
/// `ConditionalGet` answers 304 when nothing changed. Polling rather than server-sent events:
/// the pages are rendered from API reads anyway, a 304 costs the browser nothing, and there is
/// no connection per open tab to hold. Pages read the same with JavaScript off.
public enum LiveUpdates {
    /// Seconds between polls of a page with nothing running on it (the header's counters).
    public static let defaultPoll = 5
    /// Seconds between polls of a job or a node that has not ended.
    static let runningPoll = 2

    static let style = """
        #live-status{float:right;font-size:.8em;color:#cde}
        .load{font-size:.75em;display:block}
        svg.spark{vertical-align:middle}
        svg.spark polyline{fill:none;stroke-width:1.5}
        svg.spark.cpu polyline{stroke:#1565c0}
        svg.spark.mem polyline{stroke:#6a1b9a}
        .node-tile a{color:#fff}
        """

    /// A strong validator of a page: FNV-1a (64 bits) of its bytes, which is plenty to tell one
    /// rendering from the next.
    static func etag(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return "\"" + String(hash, radix: 16) + "\""
    }

    static var ifNoneMatch: HTTPField.Name { HTTPField.Name("If-None-Match")! }
    static var etagName: HTTPField.Name { HTTPField.Name("ETag")! }
}

/// A GET whose `If-None-Match` names the page's ETag is answered 304, without the page.
struct ConditionalGet<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard request.method == .get, response.status == .ok, let etag = response.headers[LiveUpdates.etagName],
              let asked = request.headers[LiveUpdates.ifNoneMatch],
              asked.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" }) else {
            return response
        }
        return Response(status: .notModified, headers: [LiveUpdates.etagName: etag, .cacheControl: "no-cache"])
    }
}

extension Dashboard {
    /// /ui/static/live.js, and a node's own view.
    func addLiveRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/ui/static/live.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache",
                                            LiveUpdates.etagName: LiveUpdates.etag(LiveScript.source)],
                     body: .init(byteBuffer: ByteBuffer(string: LiveScript.source)))
        }
        router.get("/ui/jobs/:id/nodes/:task/:n") { request, context in
            // The links percent-encode the task name (HTML.pathSegment); the router does not decode it.
            let task = (context.parameters.get("task") ?? "").removingPercentEncoding ?? ""
            return try await self.html(self.nodePage(context.parameters.get("id") ?? "", task: task,
                                                     instance: Int(context.parameters.get("n") ?? "") ?? -1))
        }
    }
}

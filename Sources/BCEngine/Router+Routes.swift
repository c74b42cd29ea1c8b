import BCAPI
import Hummingbird

/// Routes are registered from the contract's table (`Routes`), so the engine and the client
/// cannot disagree on a path: no handler spells one.
extension Router {
    @discardableResult
    func on<Output: ResponseGenerator>(_ route: Route, use handler: @escaping @Sendable (Request, Context) async throws -> Output) -> Self {
        on(RouterPath(route.template), method: route.method.http, use: handler)
    }
}

extension APIMethod {
    var http: HTTPRequest.Method {
        switch self {
        case .GET: .get
        case .POST: .post
        case .PUT: .put
        case .DELETE: .delete
        case .HEAD: .head
        }
    }
}

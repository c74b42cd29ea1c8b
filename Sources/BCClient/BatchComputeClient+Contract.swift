import BCAPI
import BCJSON
import Foundation

/// The one way the typed calls reach the engine: a route of `Routes`, its parameters, and an
/// answer decoded into the contract's type. Every typed call is a line or two on top of these,
/// so a path, a method or an answer's shape is written once, in BCAPI.
extension BatchComputeClient {
    /// Sends `route` with its `:parameters` filled in; a 2xx answer decoded as `Answer`,
    /// anything else thrown as `APIError` (as is an answer that is not an `Answer`).
    func call<Answer: Decodable>(_ route: Route, _ parameters: String..., query: [(String, String)] = [],
                                 body: JSONValue? = nil) async throws -> Answer {
        let response = try await exchange(route, parameters, query: query, body: body)
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
        return try Self.decode(Answer.self, response, route: route)
    }

    /// Sends `route` and only checks that it succeeded: stop, start, delete and modify answer
    /// an empty object nobody reads.
    func perform(_ route: Route, _ parameters: String..., query: [(String, String)] = [], body: JSONValue? = nil) async throws {
        let response = try await exchange(route, parameters, query: query, body: body)
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
    }

    /// One page of a list route.
    func page<Item: Codable & Sendable>(_ route: Route, _ parameters: [String] = [], _ page: PageQuery,
                               query: [(String, String)] = []) async throws -> Page<Item> {
        let response = try await exchange(route, parameters, query: query + page.items, body: nil)
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
        return try Self.decode(Page<Item>.self, response, route: route)
    }

    /// Every item of a list route, a page of `pageSize` at a time, following `NextMarker`.
    func all<Item: Codable & Sendable>(_ route: Route, _ parameters: [String] = [], query: [(String, String)] = [],
                              pageSize: Int) async throws -> [Item] {
        var items: [Item] = []
        var marker = ""
        repeat {
            let next: Page<Item> = try await page(route, parameters, PageQuery(marker: marker, maxItemCount: pageSize), query: query)
            items += next.items
            marker = next.nextMarker
        } while !marker.isEmpty
        return items
    }

    /// The raw answer of `route`, whatever its status: for the calls whose non-2xx answers
    /// carry meaning (a held lock's 409) or whose body is not JSON (logs, the inventory).
    func exchange(_ route: Route, _ parameters: [String], query: [(String, String)], body: JSONValue?) async throws -> HTTPResponse {
        try await send(HTTPMethod(route.method), route.path(parameters), query: query, body: body)
    }

    /// `value` as the JSON tree a request body is written from.
    static func json<Body: Encodable>(_ value: Body) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    /// An answer's body as `Answer`. A body that is not one is the engine's fault, said as an
    /// `APIError` naming the route, so callers handle one error type.
    static func decode<Answer: Decodable>(_ type: Answer.Type, _ response: HTTPResponse, route: Route) throws -> Answer {
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(response.body))
        } catch {
            throw APIError(status: response.status, code: "InvalidResponse",
                           message: "the answer to \(route) is not a \(Answer.self): \(error)",
                           requestId: response.headers["x-acs-request-id"].first ?? "")
        }
    }
}

extension Route {
    /// The path with its parameters from an array (the typed calls pass theirs on).
    func path(_ values: [String]) -> String {
        switch values.count {
        case 0: path()
        case 1: path(values[0])
        case 2: path(values[0], values[1])
        case 3: path(values[0], values[1], values[2])
        default: path(values[0], values[1], values[2], values[3])
        }
    }
}

extension HTTPMethod {
    /// The contract's method as the client's own (the same five verbs).
    init(_ method: APIMethod) {
        switch method {
        case .GET: self = .GET
        case .POST: self = .POST
        case .PUT: self = .PUT
        case .DELETE: self = .DELETE
        case .HEAD: self = .HEAD
        }
    }
}

/// One HTTP request as the client sends it: the body is already serialized and signed, and
/// `headers` are sent exactly as given (the signatures cover some of them).
struct HTTPRequest: Sendable {
    var method: HTTPMethod
    var target: String
    var headers: [(String, String)]
    var body: [UInt8]

    init(method: HTTPMethod, target: String, headers: [(String, String)], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// An answer, whatever its status.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPResponseHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPResponseHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A response's header fields in the order received. Names are matched without regard to
/// case, as HTTP says; `headers["x-acs-request-id"].first` reads one.
public struct HTTPResponseHeaders: Sendable, Sequence, CustomStringConvertible {
    private var fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// Every value of the field `name`, in order (empty when absent).
    public subscript(name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    mutating func append(name: String, value: String) { fields.append((name, value)) }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public var description: String { fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }
}

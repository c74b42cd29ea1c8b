/// The HTTP methods the client sends: BCClient's own, so that no transport's type is part of
/// its API (callers write `.GET`, `.POST` as before, and import nothing but BCClient).
public enum HTTPMethod: String, Sendable, CaseIterable {
    case GET, POST, PUT, DELETE, HEAD
}

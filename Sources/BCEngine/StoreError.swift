import BCAPI

/// What the store refuses, in its own terms. The store knows rows and states, not HTTP: the
/// server maps these to BatchCompute's answers once, at its edge (`apiError`), and the
/// scheduler, which calls the same store, can match on them.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A resource the call names does not exist (or no longer does).
    case notFound(Resource)
    /// The job's state does not allow the change: stopping a finished job, deleting a running one.
    case stateConflict(RunState)
    /// An idempotent token reused with another description.
    case tokenMismatch
    /// A resource of that name exists already (apps are named, not numbered).
    case alreadyExists(Resource)
    /// A stored value the store cannot read back: a state that is none of `RunState`'s.
    case unreadable(String)

    /// A resource, named as BatchCompute's messages name it.
    public enum Resource: Equatable, Sendable, CustomStringConvertible {
        case job(String)
        case cluster(String)
        case app(String)
        case image(String)
        case group(String, cluster: String)
        case clusterVM(String, group: String, cluster: String)

        public var description: String {
            switch self {
            case .job(let id): "job \(id)"
            case .cluster(let id): "cluster \(id)"
            case .app(let name): "app \(name)"
            case .image(let id): "image \(id)"
            case .group(let group, let cluster): "group \(group) of cluster \(cluster)"
            case .clusterVM(let id, let group, let cluster): "instance \(id) in group \(group) of cluster \(cluster)"
            }
        }
    }

    /// The answer a client gets: exactly the codes, statuses and messages BatchCompute uses.
    public var apiError: APIError {
        switch self {
        case .notFound(let resource): APIError.notFound(resource.description)
        case .stateConflict(let state): APIError.stateConflict(state.rawValue)
        case .tokenMismatch: APIError(400, "IdempotentTokenMismatch", "Specified idempotent token mismatch.")
        case .alreadyExists(let resource): APIError(403, "InvalidResource.AlreadyExisting", "Specified resource already exists: \(resource).")
        case .unreadable: APIError.internalError
        }
    }

    public var description: String {
        if case .unreadable(let what) = self { return "the engine's store holds an unreadable value: \(what)" }
        return apiError.message
    }
}

extension APIError {
    /// What a client is told of a failure that is the engine's, not the request's.
    static let internalError = APIError(500, "InternalError", "The request processing has been failed due to some unknown error.")
}

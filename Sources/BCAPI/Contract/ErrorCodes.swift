/// Error codes a client acts on, not only reports: spelled once, beside the one error type.
extension APIError {
    public enum Code {
        /// A create of a name that exists (BatchCompute answers it with 403 or 409).
        public static let alreadyExisting = "InvalidResource.AlreadyExisting"
        public static let notFound = "InvalidResource.NotFound"
        /// An operation the resource's state does not allow: stopping a job that ended.
        public static let stateConflict = "StateConflict"
    }
}

/// A flag the API raises after a change the scheduler should react to (a new job, a resize).
public actor WakeFlag {
    private var raised = false

    public init() {}

    public func raise() { raised = true }

    /// Whether the flag was raised since the last call; lowers it.
    public func take() -> Bool {
        defer { raised = false }
        return raised
    }
}

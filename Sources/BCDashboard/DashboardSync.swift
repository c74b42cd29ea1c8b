import BCAPI

/// What a controller hands the dashboard it serves: its status and a way to ask for a
/// reconciliation. The status is the controller's own model as `/api/status` serves it and
/// `bcctl status` reads it (`ControllerStatus.json`), so the Sync page shows exactly what the
/// command shows, and BCDashboard needs nothing of the controller's internals.
public struct DashboardSync: Sendable {
    /// The controller's status document (`ControllerStatus.json`).
    public let status: @Sendable () async -> JSONValue
    /// Fetch and reconcile now (as `bcctl controller reconcile`); nil: no button.
    public let reconcile: (@Sendable () async -> Void)?
    /// Whether reading the Sync page needs a login: on a listener that is not loopback, as
    /// `/api/status` then needs the API token (it names the repository, revisions and errors).
    public let readNeedsLogin: Bool

    public init(status: @escaping @Sendable () async -> JSONValue, reconcile: (@Sendable () async -> Void)? = nil,
                readNeedsLogin: Bool = false) {
        self.status = status
        self.reconcile = reconcile
        self.readNeedsLogin = readNeedsLogin
    }
}

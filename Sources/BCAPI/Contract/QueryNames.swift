/// The query parameters the API reads besides a page's `Marker` and `MaxItemCount`
/// (`PageQuery`), spelled once for the client that sends them and the engine that reads them.
public enum QueryName {
    /// `ListJobs`: only jobs in this `RunState`.
    public static let state = "State"
    /// List calls: only objects carrying these labels, `key=value[,key=value]`.
    public static let label = "Label"
    /// `ListJobs`: `True` lists newest first.
    public static let isReverse = "IsReverse"
    /// `GetJob`: present (with any value) answers the job's description as submitted.
    public static let description = "description"
    /// `GetApp`: present answers the app's revisions instead of the app.
    public static let revisions = "Revisions"
    /// Creates: the same token twice creates once.
    public static let idempotentToken = "IdempotentToken"
    /// `/bcops/inventory`: whose objects.
    public static let workspace = "Workspace"
    /// `/bcops/events`: after this sequence number.
    public static let since = "Since"
    /// `/bcops/logs/…`: `stdout` or `stderr`, and the byte to read from.
    public static let stream = "Stream"
    public static let offset = "Offset"
    /// List calls: where the page starts (the previous page's `NextMarker`) and how long it is.
    public static let marker = "Marker"
    public static let maxItemCount = "MaxItemCount"
    /// `ListJobs`, `ListTasks`: only those placed on this cluster.
    public static let clusterId = "ClusterId"
    /// `ListJobs`: the order (`CreationTime`, the only one).
    public static let orderBy = "OrderBy"
    /// `ListApps`, `GetApp`: `Public` asks for the region's public apps.
    public static let scope = "Scope"
    /// `GetApp`, `DeleteApp`: one revision of the app.
    public static let qualifier = "Qualifier"
    /// `CreateJob` of an App job: present answers when the job has ended (the SDK's `sync=True`).
    public static let sync = "sync"
    /// `ListImages`: `System` lists the system images, absent the registered ones.
    public static let type = "Type"

    /// The `Label` selector of `labels`, in key order (so one selector has one spelling).
    public static func labelSelector(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}

/// The filters `ListJobs` takes beside its page.
public struct JobFilter: Sendable, Equatable {
    public var state: JobState?
    public var labels: [String: String]
    public var newestFirst: Bool

    public init(state: JobState? = nil, labels: [String: String] = [:], newestFirst: Bool = false) {
        self.state = state
        self.labels = labels
        self.newestFirst = newestFirst
    }

    /// The query items, in the order the API documents them.
    public var items: [(String, String)] {
        var out: [(String, String)] = []
        if newestFirst { out.append((QueryName.isReverse, "True")) }
        if let state { out.append((QueryName.state, state.rawValue)) }
        if !labels.isEmpty { out.append((QueryName.label, QueryName.labelSelector(labels))) }
        return out
    }
}

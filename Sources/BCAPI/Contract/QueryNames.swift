/// The query parameters the API reads besides a page's `Marker` and `MaxItemCount`
/// (`PageQuery`), spelled once for the client that sends them and the engine that reads them.
public enum QueryName {
    /// `ListJobs`: only jobs in this `RunState` (bcops' extension: or in any of several,
    /// comma-separated: `Failed,Stopped,Finished`).
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
    /// `/bcops/events`: after this sequence number. `/bcops/inventory`: what changed since
    /// this cursor (`InventoryAnswer`).
    public static let since = "Since"
    /// `/bcops/logs/…`: `stdout` or `stderr`, and the byte to read from. `ListJobs` (bcops'
    /// extension): how many matching jobs to skip before the page.
    public static let stream = "Stream"
    public static let offset = "Offset"
    /// `ListJobs` (bcops' extensions, JobFilter.swift): a substring of the name, any ASCII case;
    /// the App's name; creation and end time ranges (wire times, inclusive); `True` adds the
    /// number of matching jobs (`TotalCount`) to the page.
    public static let nameContains = "NameContains"
    public static let appName = "AppName"
    public static let creationTimeFrom = "CreationTimeFrom"
    public static let creationTimeTo = "CreationTimeTo"
    public static let endTimeFrom = "EndTimeFrom"
    public static let endTimeTo = "EndTimeTo"
    public static let withCount = "WithCount"
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

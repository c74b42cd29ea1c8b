/// An HTTP method of the API. The contract's own, so neither side's HTTP library is part of it.
public enum APIMethod: String, Sendable, Hashable, CaseIterable {
    case GET, POST, PUT, DELETE, HEAD
}

/// One route of the API: its method and its path template, whose `:name` segments are
/// parameters. The engine registers the template; the client fills it with `path(_:)`.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    public let method: APIMethod
    public let template: String

    public init(_ method: APIMethod, _ template: String) {
        self.method = method
        self.template = template
    }

    /// The parameters' names, in order.
    public var parameters: [String] {
        template.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }

    /// The path with each `:parameter` replaced by the next value, percent-encoded as a path
    /// segment (ids and names are plain, but a task name is the user's text).
    public func path(_ values: String...) -> String {
        precondition(values.count == parameters.count, "\(template) takes \(parameters.count) parameters, got \(values.count)")
        var next = values.makeIterator()
        return "/" + template.split(separator: "/").map { segment in
            segment.hasPrefix(":") ? Route.encodeSegment(next.next()!) : String(segment)
        }.joined(separator: "/")
    }

    public var description: String { "\(method.rawValue) \(template)" }

    /// RFC 3986's pchar less `/`: what a path segment may hold as is. Built once, not per call.
    static let segmentBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@".utf8)

    static func encodeSegment(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            if segmentBytes.contains(byte) { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += "%" + hex(byte) }
        }
        return out
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }
}

/// Every route of the engine's API, spelled once: BatchCompute's (2015-11-11) and bcops'
/// `/bcops/…` extensions. OSS is served beside them on bucket-style paths and is not listed.
public enum Routes {
    // Jobs, their tasks and instances.
    public static let createJob = Route(.POST, "/jobs")
    public static let listJobs = Route(.GET, "/jobs")
    public static let getJob = Route(.GET, "/jobs/:id")
    public static let updateJob = Route(.PUT, "/jobs/:id")
    public static let deleteJob = Route(.DELETE, "/jobs/:id")
    public static let stopJob = Route(.POST, "/jobs/:id/stop")
    public static let startJob = Route(.POST, "/jobs/:id/start")
    public static let listTasks = Route(.GET, "/jobs/:id/tasks")
    public static let getTask = Route(.GET, "/jobs/:id/tasks/:task")
    public static let listInstances = Route(.GET, "/jobs/:id/tasks/:task/instances")
    public static let getInstance = Route(.GET, "/jobs/:id/tasks/:task/instances/:n")

    // Clusters and their VMs.
    public static let createCluster = Route(.POST, "/clusters")
    public static let listClusters = Route(.GET, "/clusters")
    public static let getCluster = Route(.GET, "/clusters/:id")
    public static let deleteCluster = Route(.DELETE, "/clusters/:id")
    public static let modifyCluster = Route(.PUT, "/clusters/:id")
    public static let listClusterVMs = Route(.GET, "/clusters/:id/groups/:group/instances")
    public static let getClusterVM = Route(.GET, "/clusters/:id/groups/:group/instances/:instance")
    public static let recreateClusterVM = Route(.POST, "/clusters/:id/groups/:group/instances/:instance/recreate")
    public static let deleteClusterVM = Route(.DELETE, "/clusters/:id/groups/:group/instances/:instance")

    // Apps.
    public static let createApp = Route(.POST, "/apps")
    public static let listApps = Route(.GET, "/apps")
    public static let getApp = Route(.GET, "/apps/:name")
    public static let modifyApp = Route(.PUT, "/apps/:name")
    public static let deleteApp = Route(.DELETE, "/apps/:name")

    // Images.
    public static let createImage = Route(.POST, "/images")
    public static let listImages = Route(.GET, "/images")
    public static let getImage = Route(.GET, "/images/:id")
    public static let deleteImage = Route(.DELETE, "/images/:id")

    // What the region offers.
    public static let quotas = Route(.GET, "/quotas")
    public static let availableResources = Route(.GET, "/available")

    // bcops' extensions.
    public static let getWorkspace = Route(.GET, "/bcops/workspaces/:name")
    public static let bumpSerial = Route(.POST, "/bcops/workspaces/:name/serial")
    public static let inventory = Route(.GET, "/bcops/inventory")
    public static let approve = Route(.POST, "/bcops/approvals")
    public static let getApproval = Route(.GET, "/bcops/approvals/:workspace/:revision")
    public static let events = Route(.GET, "/bcops/events")
    public static let jobCounts = Route(.GET, "/bcops/job-counts")
    public static let instanceLog = Route(.GET, "/bcops/logs/:job/:task/:n")
    public static let jobLoad = Route(.GET, "/bcops/load/:job")
    public static let listLocks = Route(.GET, "/bcops/locks")
    public static let takeLock = Route(.POST, "/bcops/locks")
    public static let renewLock = Route(.PUT, "/bcops/locks/:id")
    public static let releaseLock = Route(.DELETE, "/bcops/locks/:id")
}

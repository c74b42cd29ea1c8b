import BCAPI
import Foundation

/// How the Cromwell front-end is set up (`bcctl engine serve --cromwell-…`).
public struct CromwellSettings: Sendable {
    /// Cromwell's `root`: workflows' call trees go under it as `<root><workflow>/<tag>/<id>/`,
    /// their final outputs and metadata under `<root><workflow>/<tag>/<id>/outputs/`.
    public var root: String
    /// Cromwell's `system.max-concurrent-workflows`: more wait as `Submitted`.
    public var maxConcurrentWorkflows: Int
    /// The bearer token every request must carry; nil: none (loopback only).
    public var token: String?
    /// How often the queue looks for runner jobs that ended.
    public var pollInterval: Duration
    /// Cromwell's backend `default-runtime-attributes`: what every call gets unless its task or
    /// the workflow's options say otherwise. The BatchCompute backend needs a `cluster`.
    public var defaultRuntimeAttributes: [String: JSONValue]
    /// The largest submission accepted (a WDL, its inputs, options and a zip of imports).
    public var maxBodyBytes: Int

    public init(root: String = "oss://cromwell/cromwell-dir/", maxConcurrentWorkflows: Int = 5000, token: String? = nil,
                pollInterval: Duration = .milliseconds(500), maxBodyBytes: Int = 64 << 20,
                defaultRuntimeAttributes: [String: JSONValue] = ["cluster": .string("OnDemand ecs.sn1.medium img-ubuntu-vpc")]) {
        self.defaultRuntimeAttributes = defaultRuntimeAttributes
        self.root = root.hasSuffix("/") ? root : root + "/"
        self.maxConcurrentWorkflows = max(1, maxConcurrentWorkflows)
        self.token = token
        self.pollInterval = pollInterval
        self.maxBodyBytes = maxBodyBytes
    }

    /// The root's bucket, where the staged sources and the front-end's records go too.
    public var bucket: String { String(root.dropFirst("oss://".count).prefix { $0 != "/" }) }

    /// The label each runner job carries: the Cromwell id of its workflow.
    public static let idLabel = "bcops.io/cromwell-id"
}

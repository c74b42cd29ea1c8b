/// A render job: a scene of a project, a frame list, and how many nodes share it.
public struct RenderJobSpec: ResourceSpec, Equatable {
    public static let kind = Kind.RenderJob

    public var description: String?
    public var project: String
    public var scene: String
    public var frames: String
    public var nodes: Int?
    public var framesPerTask: Int?
    public var cluster: String?
    public var autoCluster: AutoClusterSpec?
    public var params: [String: String]?
    public var retries: Int?
    public var stopOnNodeFailure: Bool?
    public var priority: Int?
    public var rerun: String?

    public init(project: String, scene: String, frames: String) {
        self.project = project; self.scene = scene; self.frames = frames
    }

    public static let typeDescription = "A render job: frames of one scene split across nodes."
    public static let fieldDocs: [String: FieldDoc] = [
        "description": FieldDoc("Free text."),
        "project": FieldDoc("Name of the RenderProject."),
        "scene": FieldDoc("Scene path relative to the project's first OSS mapping, or an oss:// path under one of its mappings.",
                          examples: ["monkey/cube.blend"]),
        "frames": FieldDoc("Frames: 1-250, 1,3,5-10 or 1-100x2.", examples: ["1-250", "1,3,5-10", "1-100x2"]),
        "nodes": FieldDoc("Instances sharing the frames as framer.py splits them.", minimum: 1),
        "framesPerTask": FieldDoc("Or: one instance per chunk of this many frames.", minimum: 1),
        "cluster": FieldDoc("Name of a Cluster; overrides the project's default."),
        "autoCluster": FieldDoc("Or a pool created for this job."),
        "params": FieldDoc("Values of the software's custom parameters."),
        "retries": FieldDoc("Retries of a failed node (default: project's).", minimum: 0),
        "stopOnNodeFailure": FieldDoc("Fail the job at the first failed node."),
        "priority": FieldDoc("Job priority 0–1000.", minimum: 0, maximum: 1000),
        "rerun": FieldDoc("Change this token to render again with an unchanged spec."),
    ]

    public func validate(in context: ValidationContext, into sink: inout DiagnosticSink) {
        let spec = FieldPath.root / "spec"
        Rules.name(project, at: spec / "project", what: "project name", into: &sink)
        do { _ = try FrameSpec(parsing: frames) } catch { sink.error(spec / "frames", "frames \(error.description)") }
        if scene.isBlank {
            sink.error(spec / "scene", "must not be empty")
        } else if scene.hasPrefix("oss://") {
            Rules.ossURL(scene, at: spec / "scene", into: &sink)
        } else if scene.hasPrefix("/") {
            sink.error(spec / "scene", "scene \"\(scene)\" must be relative to the project's OSS mapping (or an oss:// path)")
        } else if scene.hasPrefix("../") || scene.hasSuffix("/..") || scene == ".." || scene.containsBytes("/../") {
            sink.error(spec / "scene", "scene \"\(scene)\" must not contain \"..\"")
        }
        if nodes != nil && framesPerTask != nil { sink.error(spec / "framesPerTask", "set nodes or framesPerTask, not both") }
        if let n = nodes { Rules.positive(n, at: spec / "nodes", what: "nodes", into: &sink) }
        if let f = framesPerTask { Rules.positive(f, at: spec / "framesPerTask", what: "framesPerTask", into: &sink) }
        if cluster != nil && autoCluster != nil { sink.error(spec / "autoCluster", "set cluster or autoCluster, not both") }
        if let c = cluster { Rules.name(c, at: spec / "cluster", what: "cluster name", into: &sink) }
        // Disk mount points depend on the project's platform: checked with the project (ManifestSetValidator).
        if let a = autoCluster { Rules.autoCluster(a, platform: nil, in: context, at: spec / "autoCluster", into: &sink) }
        if let r = retries { Rules.nonNegative(r, at: spec / "retries", what: "retries", into: &sink) }
        if let p = priority { Rules.priority(p, at: spec / "priority", into: &sink) }
    }
}

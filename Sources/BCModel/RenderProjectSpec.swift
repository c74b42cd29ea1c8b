/// A render project, as the Render Manager's project page defines it: which software renders,
/// which OSS data appears where on the nodes, and where results go.
public struct RenderProjectSpec: ResourceSpec, Equatable {
    public static let kind = Kind.RenderProject

    public var description: String?
    public var image: String
    public var platform: Platform?
    public var software: RenderSoftware
    public var ossMappings: [MountEntry]
    public var mountOptions: MountOptions?
    public var ossOutput: String
    public var localOutputDir: String
    public var defaults: RenderDefaults?
    public var autoDownload: Bool?
    public var downloadDir: String?

    public init(image: String, software: RenderSoftware, ossMappings: [MountEntry], ossOutput: String, localOutputDir: String) {
        self.image = image; self.software = software; self.ossMappings = ossMappings
        self.ossOutput = ossOutput; self.localOutputDir = localOutputDir
    }

    public static let typeDescription = "A render project: software, OSS data mappings, output locations and job defaults."
    public static let fieldDocs: [String: FieldDoc] = [
        "description": FieldDoc("Free text."),
        "image": FieldDoc("Compute node image used by auto clusters (img-… or m-…).", examples: ["m-wz9du0xaalpag4ylwzs"]),
        "platform": FieldDoc("Linux (default) or Windows: Windows projects map OSS to drive letters."),
        "software": FieldDoc("The renderer and its command template."),
        "ossMappings": FieldDoc("OSS prefixes mounted on every node; scenes are looked up under them."),
        "mountOptions": FieldDoc("Character set and locking of the mappings."),
        "ossOutput": FieldDoc("OSS prefix receiving results, under <ossOutput>/<job>/.", examples: ["oss://renderbucket/rm_test/output/"]),
        "localOutputDir": FieldDoc("Directory on the node where the renderer writes; uploaded when an instance ends.",
                                   examples: ["/render_output/", "C:\\render_output\\"]),
        "defaults": FieldDoc("Defaults for the project's render jobs."),
        "autoDownload": FieldDoc("Copy finished outputs to downloadDir on the machine running bcops."),
        "downloadDir": FieldDoc("Local directory for autoDownload (default rm_output/)."),
    ]

    public func validate(in context: ValidationContext, into sink: inout DiagnosticSink) {
        let spec = FieldPath.root / "spec"
        let os = platform ?? .Linux
        Rules.imageId(image, at: spec / "image", into: &sink)
        software.validate(at: spec / "software", into: &sink)
        if ossMappings.isEmpty { sink.error(spec / "ossMappings", "a project needs at least one OSS mapping holding its scenes") }
        var seen: [String: Int] = [:]
        for (i, m) in ossMappings.enumerated() {
            let path = (spec / "ossMappings").appending(index: i)
            Rules.ossPrefix(m.source, at: path / "source", into: &sink)
            Rules.localPath(m.destination, platform: os, at: path / "destination", into: &sink)
            if let first = seen[m.destination] {
                sink.error(path / "destination", "destination \"\(m.destination)\" is already used by ossMappings[\(first)]")
            } else { seen[m.destination] = i }
        }
        Rules.ossPrefix(ossOutput, at: spec / "ossOutput", into: &sink)
        Rules.localPath(localOutputDir, platform: os, at: spec / "localOutputDir", what: "localOutputDir", allowDriveLetter: false, into: &sink)
        if let d = defaults { d.validate(platform: os, in: context, at: spec / "defaults", into: &sink) }
        if downloadDir != nil && autoDownload != true {
            sink.error(spec / "downloadDir", "downloadDir is used only with autoDownload: true")
        }
    }
}

public struct MountOptions: Codable, Equatable, Sendable, SchemaDocumented {
    public var locale: String?
    public var lock: Bool?

    public static let typeDescription = "Options of a project's OSS mappings."
    public static let fieldDocs: [String: FieldDoc] = [
        "locale": FieldDoc("Character set of object names (GBK or UTF-8)."),
        "lock": FieldDoc("Enable file locks (Windows only)."),
    ]
}

/// The renderer: Blender is built in; any other software brings its own command template.
public struct RenderSoftware: Codable, Equatable, Sendable, SchemaDocumented {
    public var name: String
    public var sceneSuffix: String?
    public var command: String?
    public var params: [String: RenderParam]?

    public init(name: String, sceneSuffix: String? = nil, command: String? = nil, params: [String: RenderParam]? = nil) {
        self.name = name; self.sceneSuffix = sceneSuffix; self.command = command; self.params = params
    }

    /// Variables every template may use, substituted per instance.
    public static let builtInVariables = ["CPU", "START_FRAME", "END_FRAME", "FRAMES", "OUTPUT_LOCAL_DIR", "SCENE"]

    public var isBlender: Bool { name.lowercased() == "blender" }

    /// The built-in Blender template's own parameters: a project may give them other defaults
    /// and a job may set them, like any declared parameter.
    public static let blenderParams: [String: RenderParam] = [
        "FORMAT": RenderParam(description: "Blender output format (-F): PNG, JPEG, OPEN_EXR, TIFF, BMP…", default: "PNG"),
        "OUTPUT_NAME": RenderParam(description: "Output file name; each run of # is the zero-padded frame number.", default: "####"),
        "ENGINE": RenderParam(description: "Render engine (-E): CYCLES, BLENDER_EEVEE or BLENDER_WORKBENCH; empty keeps the scene's.", default: ""),
        "PYTHON": RenderParam(description: "A Python script run before rendering (--python, with --python-exit-code 1); empty for none.", default: ""),
    ]

    /// The parameters jobs may set: the declared ones, and for the built-in Blender template
    /// its own (a declaration of the same name gives it another default).
    public var effectiveParams: [String: RenderParam] {
        let declared = params ?? [:]
        guard isBlender && command == nil else { return declared }
        return RenderSoftware.blenderParams.merging(declared) { _, mine in mine }
    }

    public static let typeDescription = "Render software: name, scene suffix and command template."
    public static let fieldDocs: [String: FieldDoc] = [
        "name": FieldDoc("blender uses the built-in template; other names need a command.", examples: ["blender"]),
        "sceneSuffix": FieldDoc("Suffix of scene files (default .blend for Blender).", examples: [".blend"]),
        "command": FieldDoc("Command template with $CPU $START_FRAME $END_FRAME $FRAMES $OUTPUT_LOCAL_DIR $SCENE and $PARAM for each declared param.",
                            examples: ["blender -b $SCENE -o $OUTPUT_LOCAL_DIR/#### -F PNG -t $CPU -f $FRAMES"]),
        "params": FieldDoc("Custom parameters, filled in by each render job."),
    ]

    /// `$NAME` tokens in a template (letters, digits and _ after a `$`); `$$` is a literal `$`.
    public static func variables(in template: String) -> [String] {
        var out: [String] = []
        let scalars = Array(template.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "$", i + 1 < scalars.count, scalars[i + 1] == "$" {
                i += 2  // `$$` is a literal dollar sign
            } else if scalars[i] == "$" {
                var j = i + 1
                var braced = false
                if j < scalars.count, scalars[j] == "{" { braced = true; j += 1 }
                var name = ""
                while j < scalars.count, scalars[j].properties.isAlphabetic || ("0"..."9").contains(scalars[j]) || scalars[j] == "_" {
                    name.unicodeScalars.append(scalars[j]); j += 1
                }
                if braced, j < scalars.count, scalars[j] == "}" { j += 1 }
                if !name.isEmpty { out.append(name) }
                i = j
            } else { i += 1 }
        }
        return out
    }

    func validate(at path: FieldPath, into sink: inout DiagnosticSink) {
        if name.isBlank { sink.error(path / "name", "must not be empty") }
        if !isBlender && command == nil {
            sink.error(path / "command", "software \"\(name)\" is not built in; give a command template")
        }
        if let suffix = sceneSuffix, !suffix.hasPrefix(".") || suffix.count < 2 {
            sink.error(path / "sceneSuffix", "scene suffix \"\(suffix)\" must start with a dot, such as .blend")
        }
        let declared = Set((params ?? [:]).keys)
        for (name, _) in params ?? [:] {
            if RenderSoftware.builtInVariables.contains(name) {
                sink.errorAtKey(path / "params" / name, "\(name) is a built-in variable and cannot be redeclared")
            } else if name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) || name.first!.isNumber {
                sink.errorAtKey(path / "params" / name, "parameter name \"\(name)\" must be letters, digits and _, not starting with a digit")
            }
        }
        if let command {
            let known = RenderSoftware.builtInVariables + declared.sorted()
            for variable in RenderSoftware.variables(in: command) where !known.contains(variable) {
                sink.error(path / "command", "unknown variable $\(variable)\(Suggestions.hint(for: variable, in: known)); declare it under params")
            }
        }
    }
}

public struct RenderParam: Codable, Equatable, Sendable, SchemaDocumented {
    public var description: String?
    public var `default`: String?

    public init(description: String? = nil, default: String? = nil) { self.description = description; self.default = `default` }

    public static let typeDescription = "A custom template parameter; without a default every job must set it."
    public static let fieldDocs: [String: FieldDoc] = [
        "description": FieldDoc("Shown to people submitting jobs."),
        "default": FieldDoc("Value used when a job sets none."),
    ]
}

/// Defaults a render job inherits from its project.
public struct RenderDefaults: Codable, Equatable, Sendable, SchemaDocumented {
    public var cluster: String?
    public var autoCluster: AutoClusterSpec?
    public var nodes: Int?
    public var retries: Int?
    public var stopOnNodeFailure: Bool?
    public var priority: Int?
    public var disks: Disks?

    public init() {}

    public static let typeDescription = "Defaults for the project's render jobs."
    public static let fieldDocs: [String: FieldDoc] = [
        "cluster": FieldDoc("Name of a Cluster to render on."),
        "autoCluster": FieldDoc("Or a pool created per job."),
        "nodes": FieldDoc("Nodes (instances) per job.", minimum: 1),
        "retries": FieldDoc("Retries of a failed node.", minimum: 0),
        "stopOnNodeFailure": FieldDoc("Fail the job at the first failed node."),
        "priority": FieldDoc("Job priority 0–1000.", minimum: 0, maximum: 1000),
        "disks": FieldDoc("Disks of auto-cluster nodes."),
    ]

    func validate(platform: Platform, in context: ValidationContext, at path: FieldPath, into sink: inout DiagnosticSink) {
        if cluster != nil && autoCluster != nil { sink.error(path / "autoCluster", "set cluster or autoCluster, not both") }
        if let c = cluster { Rules.name(c, at: path / "cluster", what: "cluster name", into: &sink) }
        if let a = autoCluster { Rules.autoCluster(a, platform: platform, in: context, at: path / "autoCluster", into: &sink) }
        if let n = nodes { Rules.positive(n, at: path / "nodes", what: "nodes", into: &sink) }
        if let r = retries { Rules.nonNegative(r, at: path / "retries", what: "retries", into: &sink) }
        if let p = priority { Rules.priority(p, at: path / "priority", into: &sink) }
        if let d = disks { Rules.disks(d, platform: platform, at: path / "disks", into: &sink) }
    }
}

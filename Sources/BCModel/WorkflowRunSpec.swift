/// A WDL workflow run (GATK and others), executed call by call on the engine the way
/// Cromwell's BatchCompute backend did.
public struct WorkflowRunSpec: ResourceSpec, Equatable {
    public static let kind = Kind.WorkflowRun

    public var description: String?
    public var workflow: String
    public var inputs: [String: JSONValue]?
    public var inputsFile: String?
    public var options: [String: JSONValue]?
    public var optionsFile: String?
    public var runtime: WorkflowRuntime?
    public var callCaching: Bool?
    public var workingDir: String?
    public var outputsDir: String
    public var runner: WorkflowRunner?
    public var tag: String?
    public var dependsOn: [String]?
    public var rerun: String?

    public init(workflow: String, outputsDir: String) { self.workflow = workflow; self.outputsDir = outputsDir }

    public static let typeDescription = "A WDL workflow run with Cromwell-BatchCompute runtime defaults."
    public static let fieldDocs: [String: FieldDoc] = [
        "description": FieldDoc("Free text."),
        "workflow": FieldDoc("WDL file: a path relative to this manifest, or an http(s):// or oss:// URL.",
                             examples: ["src/processing-for-variant-discovery-gatk4.wdl"]),
        "inputs": FieldDoc("Workflow inputs inline (\"Workflow.input\": value)."),
        "inputsFile": FieldDoc("Or a JSON inputs file, relative to this manifest.", examples: ["src/haplotypecaller-gvcf-gatk4.hg38.wgs.inputs.json"]),
        "options": FieldDoc("Workflow options (Cromwell's options JSON)."),
        "optionsFile": FieldDoc("Or a JSON options file, relative to this manifest.", examples: ["src/generic.batchcompute-papi.options.json"]),
        "runtime": FieldDoc("Default runtime attributes of every call, in Cromwell's BatchCompute syntax."),
        "callCaching": FieldDoc("Reuse results of identical earlier calls."),
        "workingDir": FieldDoc("OSS prefix for intermediate files (WORKING_DIR).", examples: ["oss://demo-bucket/cli/gatk4_worker_dir/"]),
        "outputsDir": FieldDoc("OSS prefix receiving outputs and metadata (OUTPUTS_DIR).", examples: ["oss://demo-bucket/cli/gatk4_outputs/"]),
        "runner": FieldDoc("Resources of the workflow engine's own job."),
        "tag": FieldDoc("Tag in output paths and job names.", pattern: "^[A-Za-z0-9_-]+$"),
        "dependsOn": FieldDoc("WorkflowRuns that must succeed before this one starts (germline after data processing)."),
        "rerun": FieldDoc("Change this token to run again with an unchanged spec."),
    ]

    public func validate(in context: ValidationContext, into sink: inout DiagnosticSink) {
        let spec = FieldPath.root / "spec"
        if workflow.isBlank {
            sink.error(spec / "workflow", "must not be empty")
        } else if workflow.hasPrefix("oss://") {
            Rules.ossURL(workflow, at: spec / "workflow", into: &sink)
        } else if !workflow.hasPrefix("http://") && !workflow.hasPrefix("https://") && workflow.hasPrefix("/") {
            sink.error(spec / "workflow", "workflow \"\(workflow)\" must be relative to the manifest (the repository is the source of truth) or a URL")
        }
        if inputs != nil && inputsFile != nil { sink.error(spec / "inputsFile", "set inputs or inputsFile, not both") }
        if let f = inputsFile, f.hasPrefix("/") { sink.error(spec / "inputsFile", "inputsFile \"\(f)\" must be relative to the manifest") }
        if options != nil && optionsFile != nil { sink.error(spec / "optionsFile", "set options or optionsFile, not both") }
        if let f = optionsFile, f.hasPrefix("/") { sink.error(spec / "optionsFile", "optionsFile \"\(f)\" must be relative to the manifest") }
        for (i, name) in (dependsOn ?? []).enumerated() {
            let path = (spec / "dependsOn").appending(index: i)
            Rules.name(name, at: path, what: "WorkflowRun name", into: &sink)
            if dependsOn?[..<i].contains(name) == true { sink.error(path, "\"\(name)\" is listed twice") }
        }
        if let runtime { runtime.validate(in: context, at: spec / "runtime", into: &sink) }
        if let w = workingDir { Rules.ossPrefix(w, at: spec / "workingDir", into: &sink) }
        Rules.ossPrefix(outputsDir, at: spec / "outputsDir", into: &sink)
        if let r = runner { r.validate(in: context, at: spec / "runner", into: &sink) }
        if let t = tag, t.isEmpty || !t.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            sink.error(spec / "tag", "tag \"\(t)\" may hold only letters, digits, _ and -")
        }
    }
}

/// Default runtime attributes, written as Cromwell's BatchCompute backend reads them.
public struct WorkflowRuntime: Codable, Equatable, Sendable, SchemaDocumented {
    public var cluster: String?
    public var imageId: String?
    public var mounts: [String]?
    public var docker: String?
    public var systemDisk: String?
    public var dataDisk: String?
    public var vpc: String?
    public var userData: [String]?
    public var reserveOnFail: Bool?
    public var autoReleaseJob: Bool?
    public var timeout: Int?
    public var maxRetries: Int?

    public init(cluster: String? = nil) { self.cluster = cluster }

    public static let typeDescription = "Runtime attributes applied to every call unless the WDL task sets its own."
    public static let fieldDocs: [String: FieldDoc] = [
        "cluster": FieldDoc("\"OnDemand ecs.sn1.medium img-ubuntu-vpc\", \"Spot <type> <image> SpotWithPriceLimit 0.5\", a cls- id or a Cluster name.",
                            examples: ["OnDemand ecs.sn1.medium img-ubuntu-vpc"]),
        "imageId": FieldDoc("Image overriding the auto cluster's."),
        "mounts": FieldDoc("\"<remote> <local> <true|false>\" entries.", examples: ["oss://bcs-bucket/bcs-dir/ /home/inputs/ false"]),
        "docker": FieldDoc("Container image of the calls."),
        "systemDisk": FieldDoc("\"<type> <GB>\".", examples: ["cloud_efficiency 250"]),
        "dataDisk": FieldDoc("\"<type> <GB> <mountPoint>\".", examples: ["cloud 250 /home/data/"]),
        "vpc": FieldDoc("\"<cidr> <vpc-id>\" (either or both).", examples: ["192.168.0.0/16 vpc-xxxx"]),
        "userData": FieldDoc("\"<key> <value>\" entries handed to auto-cluster nodes."),
        "reserveOnFail": FieldDoc("Keep failed nodes for debugging."),
        "autoReleaseJob": FieldDoc("Cromwell deleted each call's job when it finished; bcops keeps them, so bcs j and bcctl logs show every call (accepted for compatibility)."),
        "timeout": FieldDoc("Seconds each call may run (Cromwell's timeout runtime attribute).", minimum: 1, maximum: 604_800),
        "maxRetries": FieldDoc("Retries of a failed call.", minimum: 0),
    ]

    func validate(in context: ValidationContext, at path: FieldPath, into sink: inout DiagnosticSink) {
        if let c = cluster {
            switch CromwellRuntime.parseCluster(c) {
            case .failure(let e): sink.error(path / "cluster", "cluster \"\(c)\": \(e.message)")
            case .success(.auto(let auto, _)):
                Rules.instanceType(auto.instanceType, in: context, at: path / "cluster", into: &sink)
            case .success: break
            }
        }
        if let image = imageId { Rules.imageId(image, at: path / "imageId", into: &sink) }
        for (i, m) in (mounts ?? []).enumerated() {
            if let e = CromwellRuntime.checkMount(m) { sink.error((path / "mounts").appending(index: i), e.message) }
        }
        if let d = docker, d.isEmpty || d.containsBytes(" ") {
            sink.error(path / "docker", "docker must be one image name such as registry.cn-shanghai.aliyuncs.com/batchcompute/myubuntu:0.2")
        }
        if let s = systemDisk, let e = CromwellRuntime.checkDisk(s, data: false) { sink.error(path / "systemDisk", e.message) }
        if let d = dataDisk, let e = CromwellRuntime.checkDisk(d, data: true) { sink.error(path / "dataDisk", e.message) }
        if let v = vpc, let e = CromwellRuntime.checkVPC(v) { sink.error(path / "vpc", e.message) }
        for (i, u) in (userData ?? []).enumerated() where u.split(separator: " ").count != 2 {
            sink.error((path / "userData").appending(index: i), "user data \"\(u)\" must be \"<key> <value>\"")
        }
        if let t = timeout { Rules.timeout(t, at: path / "timeout", into: &sink) }
        if let r = maxRetries { Rules.nonNegative(r, at: path / "maxRetries", what: "maxRetries", into: &sink) }
    }
}

/// The workflow engine's own job (`bcs asub cromwell … -t ecs.sn1.large -d cloud_efficiency`).
public struct WorkflowRunner: Codable, Equatable, Sendable, SchemaDocumented {
    public var instanceType: String?
    public var diskType: DiskType?
    public var cluster: String?
    public var timeout: Int?

    public static let typeDescription = "Where the workflow engine itself runs."
    public static let fieldDocs: [String: FieldDoc] = [
        "instanceType": FieldDoc("Instance type of the engine's node.", examples: ["ecs.sn1.large"]),
        "diskType": FieldDoc("System disk type.", examples: ["cloud_efficiency"]),
        "cluster": FieldDoc("Run the engine on this Cluster instead of an auto cluster."),
        "timeout": FieldDoc("Seconds the whole workflow may run (bcs asub --timeout; the seed's 30x runs use 172800).", minimum: 1, maximum: 604_800),
    ]

    func validate(in context: ValidationContext, at path: FieldPath, into sink: inout DiagnosticSink) {
        if let t = instanceType { Rules.instanceType(t, in: context, at: path / "instanceType", into: &sink) }
        if let c = cluster { Rules.name(c, at: path / "cluster", what: "cluster name", into: &sink) }
        if let t = timeout { Rules.timeout(t, at: path / "timeout", into: &sink) }
    }
}

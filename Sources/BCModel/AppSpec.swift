/// An App: a job template with a Docker or VM image, a command line with `${param}`
/// variables, declared inputs and outputs, and default resources.
public struct AppSpec: ResourceSpec, Equatable {
    public static let kind = Kind.App

    public var description: String?
    public var image: AppImage
    public var platform: Platform?
    public var commandLine: String
    public var inputs: [String: AppParameter]?
    public var outputs: [String: AppParameter]?
    public var env: [String: EnvValue]?
    public var daemonize: Bool?
    public var config: AppConfig?

    public init(image: AppImage, commandLine: String) { self.image = image; self.commandLine = commandLine }

    public static let typeDescription = "An App (job template) of Docker or VM image, command line and parameters."
    public static let fieldDocs: [String: FieldDoc] = [
        "description": FieldDoc("Free text shown in listings."),
        "image": FieldDoc("The runtime: docker or vm, exactly one."),
        "platform": FieldDoc("Linux (default) or Windows (VM images only); decides how localPath is written."),
        "commandLine": FieldDoc("Command run by each instance; ${name} is replaced by the input or output parameter of that name.",
                                examples: ["python test.py"]),
        "inputs": FieldDoc("Input parameters by name."),
        "outputs": FieldDoc("Output parameters by name."),
        "env": FieldDoc("Environment variables of each instance."),
        "daemonize": FieldDoc("Restart the command each time it exits."),
        "config": FieldDoc("Default resources of App jobs."),
    ]

    public func validate(in context: ValidationContext, into sink: inout DiagnosticSink) {
        let spec = FieldPath.root / "spec"
        switch (image.docker, image.vm) {
        case (nil, nil): sink.error(spec / "image", "set exactly one of docker or vm")
        case (.some, .some): sink.error(spec / "image", "set exactly one of docker or vm, not both")
        case (.some(let d), nil):
            if d.image.isEmpty { sink.error(spec / "image" / "docker" / "image", "must not be empty") }
            if let r = d.registryOSSPath { Rules.ossPrefix(r, at: spec / "image" / "docker" / "registryOSSPath", into: &sink) }
        case (nil, .some(let vm)):
            Rules.imageId(vm.imageId, at: spec / "image" / "vm" / "imageId", into: &sink)
        }
        if commandLine.isBlank { sink.error(spec / "commandLine", "must not be empty") }
        let declared = Set((inputs ?? [:]).keys).union((outputs ?? [:]).keys)
        for variable in Rules.variables(in: commandLine) where !declared.contains(variable) {
            sink.error(spec / "commandLine", "${\(variable)} is not a declared input or output parameter\(Suggestions.hint(for: variable, in: declared.sorted()))")
        }
        for (group, params) in [("inputs", inputs), ("outputs", outputs)] {
            for (name, p) in params ?? [:] {
                let path = spec / group / name
                Rules.name(name, at: path, what: "parameter name", isKey: true, into: &sink)
                p.validate(isOutput: group == "outputs", platform: platform ?? .Linux, at: path, into: &sink)
            }
        }
        if let inputs, let outputs {
            for name in Set(inputs.keys).intersection(outputs.keys).sorted() {
                sink.error(spec / "outputs" / name, "parameter \"\(name)\" is declared both as input and output")
            }
        }
        if platform == .Windows, image.docker != nil {
            sink.error(spec / "platform", "Docker images run on Linux; platform: Windows needs a vm image")
        }
        if let env { Rules.env(env, at: spec / "env", into: &sink) }
        config?.validate(platform: platform ?? .Linux, in: context, at: spec / "config", into: &sink)
    }
}

public struct AppImage: Codable, Equatable, Sendable, SchemaDocumented {
    public var docker: DockerImage?
    public var vm: VMImage?

    public init(docker: DockerImage? = nil, vm: VMImage? = nil) { self.docker = docker; self.vm = vm }

    public static let typeDescription = "Exactly one of docker or vm."
    public static let fieldDocs: [String: FieldDoc] = [
        "docker": FieldDoc("Run in this Docker image."),
        "vm": FieldDoc("Run on nodes booted from this VM image."),
    ]
}

public struct VMImage: Codable, Equatable, Sendable, SchemaDocumented {
    public var imageId: String

    public init(imageId: String) { self.imageId = imageId }

    public static let typeDescription = "A VM image."
    public static let fieldDocs: [String: FieldDoc] = [
        "imageId": FieldDoc("ECS image (m-…) or BatchCompute image (img-…).", examples: ["m-wz9du0xaalpag4ylwzs"]),
    ]
}

public enum ParameterType: String, ManifestEnum { case String, Number }

public struct AppParameter: Codable, Equatable, Sendable, SchemaDocumented {
    public var type: ParameterType?
    public var `default`: String?
    public var overwritable: Bool?
    public var localPath: String?
    public var description: String?

    public init(type: ParameterType? = nil, default: String? = nil, overwritable: Bool? = nil,
                localPath: String? = nil, description: String? = nil) {
        self.type = type; self.default = `default`; self.overwritable = overwritable
        self.localPath = localPath; self.description = description
    }

    public static let typeDescription = "An App parameter. With localPath, an OSS prefix value is mounted (inputs) or uploaded (outputs) there."
    public static let fieldDocs: [String: FieldDoc] = [
        "type": FieldDoc("String (default) or Number."),
        "default": FieldDoc("Value used when a job gives none; without one the parameter is required."),
        "overwritable": FieldDoc("Whether jobs may override the default (default true)."),
        "localPath": FieldDoc("Absolute local path where the OSS prefix appears on the node.", examples: ["/home/input/"]),
        "description": FieldDoc("Shown to people submitting jobs."),
    ]

    func validate(isOutput: Bool, platform: Platform, at path: FieldPath, into sink: inout DiagnosticSink) {
        if type == .Number, let d = `default`, !(Double(d)?.isFinite ?? false) {
            sink.error(path / "default", "default \"\(d)\" is not a number but the parameter type is Number")
        }
        if let local = localPath {
            Rules.localPath(local, platform: platform, at: path / "localPath", what: "localPath", into: &sink)
            if let d = `default`, !d.isEmpty { Rules.ossPrefix(d, at: path / "default", into: &sink) }
        }
        if overwritable == false, `default` == nil {
            sink.error(path / "overwritable", "a parameter that cannot be overwritten needs a default")
        }
    }
}

/// Default resources of App jobs (BatchCompute App `Config`).
public struct AppConfig: Codable, Equatable, Sendable, SchemaDocumented {
    public var resourceType: ResourceType?
    public var instanceType: String?
    public var instanceCount: Int?
    public var maxRetryCount: Int?
    public var timeout: Int?
    public var disks: Disks?
    public var classicNetwork: Bool?

    public init() {}

    public static let typeDescription = "Default resources of jobs that use the App."
    public static let fieldDocs: [String: FieldDoc] = [
        "resourceType": FieldDoc("OnDemand (default) or Spot."),
        "instanceType": FieldDoc("Instance type of each node.", examples: ["ecs.sn1ne.2xlarge"]),
        "instanceCount": FieldDoc("Number of instances (nodes).", minimum: 1),
        "maxRetryCount": FieldDoc("Retries of a failed instance.", minimum: 0),
        "timeout": FieldDoc("Seconds before an instance is killed.", minimum: 1, maximum: 604_800),
        "disks": FieldDoc("Disks of each node."),
        "classicNetwork": FieldDoc("Use the classic network instead of a VPC."),
    ]

    func validate(platform: Platform, in context: ValidationContext, at path: FieldPath, into sink: inout DiagnosticSink) {
        if let t = instanceType { Rules.instanceType(t, in: context, at: path / "instanceType", into: &sink) }
        if let n = instanceCount { Rules.positive(n, at: path / "instanceCount", what: "instanceCount", into: &sink) }
        if let r = maxRetryCount { Rules.nonNegative(r, at: path / "maxRetryCount", what: "maxRetryCount", into: &sink) }
        if let t = timeout { Rules.timeout(t, at: path / "timeout", into: &sink) }
        if let d = disks { Rules.disks(d, platform: platform, at: path / "disks", into: &sink) }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return s
    }

    /// Empty or only ASCII whitespace; a byte scan, cheap enough for every field of every manifest.
    var isBlank: Bool { utf8.allSatisfy { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 } }

    /// Byte search for an ASCII needle; the generic `contains(_:)` goes through
    /// _StringProcessing and costs more than the rest of a rule.
    func containsBytes(_ needle: StaticString) -> Bool {
        let n = needle.withUTF8Buffer { Array($0) }
        guard let first = n.first else { return true }
        var found = false
        utf8.withContiguousStorageIfAvailable { h in
            guard h.count >= n.count else { return }
            var i = 0
            while i <= h.count - n.count {
                if h[i] == first {
                    var k = 1
                    while k < n.count && h[i + k] == n[k] { k += 1 }
                    if k == n.count { found = true; return }
                }
                i += 1
            }
        } ?? { found = Array(utf8).withUnsafeBufferPointer { h in
            h.count >= n.count && (0...(h.count - n.count)).contains { i in (0..<n.count).allSatisfy { h[i + $0] == n[$0] } }
        } }()
        return found
    }

    /// Whether any byte is ASCII whitespace.
    var hasWhitespace: Bool { utf8.contains { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 } }
}

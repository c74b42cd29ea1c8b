import BCAPI
import BCModel

/// App → `/apps` (an `AppDescription`): modified in place (each modification is a new revision).
enum AppLowering {
    typealias Key = AppDescription.CodingKeys
    typealias ParameterKey = AppDescription.Parameter.CodingKeys
    typealias ConfigKey = AppDescription.Config.CodingKeys

    static func lower(_ spec: AppSpec, name: String) -> [DesiredField] {
        var r = FieldRecorder(defaultRule: .inPlace, capacity: 16)
        r.set("description", [Key.description.rawValue], spec.description)
        if let d = spec.image.docker {
            r.set("image.docker.image", [Key.docker.rawValue, Wire.Docker.CodingKeys.image.rawValue], d.image)
            r.set("image.docker.registryOSSPath", [Key.docker.rawValue, Wire.Docker.CodingKeys.registryOSSPath.rawValue], d.registryOSSPath)
        }
        if let vm = spec.image.vm { r.set("image.vm.imageId", [Key.vm.rawValue, AppDescription.VM.CodingKeys.ecsImageId.rawValue], vm.imageId) }
        r.set("commandLine", [Key.commandLine.rawValue], spec.commandLine)
        for (group, params, key) in [("inputs", spec.inputs, Key.inputParameters), ("outputs", spec.outputs, Key.outputParameters)] {
            let api = key.rawValue
            for (p, param) in (params ?? [:]).sorted(by: { $0.key < $1.key }) {
                let path = "\(group).\(p)"
                // A parameter without settings still exists: record it by its type.
                r.set("\(path).type", [api, p, ParameterKey.type.rawValue], param.type?.rawValue ?? AppDescription.Parameter.Kind.string.rawValue)
                r.set("\(path).default", [api, p, ParameterKey.default.rawValue], param.default)
                r.set("\(path).localPath", [api, p, ParameterKey.localPath.rawValue], param.localPath)
                r.set("\(path).description", [api, p, ParameterKey.description.rawValue], param.description)
            }
        }
        r.env("env", [Key.envVars.rawValue], spec.env)
        r.set("daemonize", [Key.daemonize.rawValue], spec.daemonize)
        if let c = spec.config {
            let config = Key.config.rawValue
            r.set("config.resourceType", [config, ConfigKey.resourceType.rawValue], item(c.resourceType?.rawValue))
            r.set("config.instanceType", [config, ConfigKey.instanceType.rawValue], item(c.instanceType))
            r.set("config.instanceCount", [config, ConfigKey.instanceCount.rawValue], item(c.instanceCount))
            r.set("config.maxRetryCount", [config, ConfigKey.maxRetryCount.rawValue], item(c.maxRetryCount))
            r.set("config.timeout", [config, ConfigKey.timeout.rawValue], item(c.timeout))
            if let system = c.disks?.systemDisk {
                r.set("config.disks.systemDisk.type", [config, ConfigKey.diskType.rawValue], item(system.type?.rawValue))
                r.set("config.disks.systemDisk.size", [config, ConfigKey.minDiskSize.rawValue], item(system.size))
            }
            if let data = c.disks?.dataDisk {
                r.set("config.disks.dataDisk.type", [config, ConfigKey.dataDiskType.rawValue], item(data.type?.rawValue))
                r.set("config.disks.dataDisk.size", [config, ConfigKey.minDataDiskSize.rawValue], item(data.size))
                r.set("config.disks.dataDisk.mountPoint", [config, ConfigKey.dataDiskMountPoint.rawValue], item(data.mountPoint))
            }
            r.set("config.classicNetwork", [config, ConfigKey.classicNetwork.rawValue], item(c.classicNetwork))
        }
        return r.fields
    }

    /// A default of the App's jobs (`{"Default": value}`), as the contract writes an `Item`.
    static func item<Value: Codable & Sendable & Equatable>(_ value: Value?) -> JSONValue? {
        value.map { JSONValue(encoding: AppDescription.Item(default: $0)) }
    }
}

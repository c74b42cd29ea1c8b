import BCModel

/// App → `/apps`: modified in place (each modification is a new revision).
enum AppLowering {
    static func lower(_ spec: AppSpec, name: String) -> [DesiredField] {
        var r = FieldRecorder(defaultRule: .inPlace, capacity: 16)
        r.set("description", ["Description"], spec.description)
        if let d = spec.image.docker {
            r.set("image.docker.image", ["Docker", "Image"], d.image)
            r.set("image.docker.registryOSSPath", ["Docker", "RegistryOSSPath"], d.registryOSSPath)
        }
        if let vm = spec.image.vm { r.set("image.vm.imageId", ["VM", "ECSImageId"], vm.imageId) }
        r.set("commandLine", ["CommandLine"], spec.commandLine)
        for (group, params, api) in [("inputs", spec.inputs, "InputParameters"), ("outputs", spec.outputs, "OutputParameters")] {
            for (p, param) in (params ?? [:]).sorted(by: { $0.key < $1.key }) {
                let path = "\(group).\(p)"
                // A parameter without settings still exists: record it by its type.
                r.set("\(path).type", [api, p, "Type"], param.type?.rawValue ?? "String")
                r.set("\(path).default", [api, p, "Default"], param.default)
                r.set("\(path).localPath", [api, p, "LocalPath"], param.localPath)
                r.set("\(path).description", [api, p, "Description"], param.description)
            }
        }
        r.env("env", ["EnvVars"], spec.env)
        r.set("daemonize", ["Daemonize"], spec.daemonize)
        if let c = spec.config {
            func item(_ v: JSONValue?) -> JSONValue? { v.map { .object(["Default": $0]) } }
            r.set("config.resourceType", ["Config", "ResourceType"], item(APIShapes.string(c.resourceType?.rawValue)))
            r.set("config.instanceType", ["Config", "InstanceType"], item(APIShapes.string(c.instanceType)))
            r.set("config.instanceCount", ["Config", "InstanceCount"], item(APIShapes.int(c.instanceCount)))
            r.set("config.maxRetryCount", ["Config", "MaxRetryCount"], item(APIShapes.int(c.maxRetryCount)))
            r.set("config.timeout", ["Config", "Timeout"], item(APIShapes.int(c.timeout)))
            if let system = c.disks?.systemDisk {
                r.set("config.disks.systemDisk.type", ["Config", "DiskType"], item(APIShapes.string(system.type?.rawValue)))
                r.set("config.disks.systemDisk.size", ["Config", "MinDiskSize"], item(APIShapes.int(system.size)))
            }
            if let data = c.disks?.dataDisk {
                r.set("config.disks.dataDisk.type", ["Config", "DataDiskType"], item(APIShapes.string(data.type?.rawValue)))
                r.set("config.disks.dataDisk.size", ["Config", "MinDataDiskSize"], item(APIShapes.int(data.size)))
                r.set("config.disks.dataDisk.mountPoint", ["Config", "DataDiskMountPoint"], item(APIShapes.string(data.mountPoint)))
            }
            r.set("config.classicNetwork", ["Config", "ClassicNetwork"], item(APIShapes.bool(c.classicNetwork)))
        }
        return r.fields
    }
}

import BCAPI
import Foundation
import Testing

/// The request descriptions (`JobDescription`, `ClusterDescription`, `AppDescription` and the
/// `Wire` shapes) as the wire spells them, and their conversion to the JSON tree the planner
/// hashes and sends.
@Suite struct RequestDescriptionTests {
    static let task = JobDescription.TaskDescription(
        clusterId: "cls-1", autoCluster: Wire.AutoCluster(instanceType: "ecs.sn1.medium", ecsImageId: "img-ubuntu", spotPriceLimit: 0.25,
                                                          configs: Wire.Configs(disks: Wire.Disks(dataDisk: Wire.Disk(size: 40)))),
        instanceCount: 2, maxRetryCount: 1, timeout: 600,
        parameters: JobDescription.Parameters(command: JobDescription.Command(commandLine: "echo \"hi\"", packagePath: "oss://b/p.tgz",
                                                                              envVars: ["A": "1"], docker: Wire.Docker(image: "busybox")),
                                              inputMappingConfig: JobDescription.InputMappingConfig(locale: "GBK", lock: false),
                                              stdoutRedirectPath: "oss://b/logs/", stderrRedirectPath: "oss://b/logs/"),
        inputMapping: ["oss://b/in/": "/in/"], outputMapping: [:], logMapping: nil,
        mounts: Wire.Mounts(entries: [Wire.MountEntry(source: "oss://b/d/", destination: "/d/", writeSupport: true)], cacheSupport: false),
        writeSupport: true)

    static let job = JobDescription(name: "j", type: .dag, description: "d", priority: 1, jobFailOnInstanceFail: true, autoRelease: false,
                                    notification: Wire.Notification(topic: Wire.Topic(name: "t", events: ["OnJobFailed"])),
                                    dag: JobDescription.DAG(tasks: ["a": task], dependencies: ["a": []]), labels: ["k": "v"])

    @Test func aDescriptionIsWrittenWithTheWiresKeysSortedAndNilsLeftOut() {
        let json = JSONValue(encoding: Self.job).canonicalString
        #expect(json == #"{"AutoRelease":false,"DAG":{"Dependencies":{"a":[]},"Tasks":{"a":{"AutoCluster":{"Configs":{"Disks":{"DataDisk":{"Size":40}}},"ECSImageId":"img-ubuntu","InstanceType":"ecs.sn1.medium","SpotPriceLimit":0.25},"ClusterId":"cls-1","InputMapping":{"oss://b/in/":"/in/"},"InstanceCount":2,"MaxRetryCount":1,"Mounts":{"CacheSupport":false,"Entries":[{"Destination":"/d/","Source":"oss://b/d/","WriteSupport":true}]},"OutputMapping":{},"Parameters":{"Command":{"CommandLine":"echo \"hi\"","Docker":{"Image":"busybox"},"EnvVars":{"A":"1"},"PackagePath":"oss://b/p.tgz"},"InputMappingConfig":{"Locale":"GBK","Lock":false},"StderrRedirectPath":"oss://b/logs/","StdoutRedirectPath":"oss://b/logs/"},"Timeout":600,"WriteSupport":true}}},"Description":"d","JobFailOnInstanceFail":true,"Labels":{"k":"v"},"Name":"j","Notification":{"Topic":{"Events":["OnJobFailed"],"Name":"t"}},"Priority":1,"Type":"DAG"}"#)
    }

    @Test func theTreeIsWhatFoundationsEncoderWrites() throws {
        let cluster = ClusterDescription(name: "c", imageId: "img", groups: ["g": .init(desiredVMCount: 1, spotPriceLimit: 1.5)],
                                         configs: Wire.Configs(networks: Wire.Networks(vpc: Wire.VPC(cidrBlock: "10.0.0.0/8"))),
                                         envVars: ["X": "é \u{1}"], runtime: "host", labels: [:])
        let app = AppDescription(name: "a", vm: AppDescription.VM(ecsImageId: "img"), commandLine: "run",
                                 inputParameters: ["in": .init(type: .number, default: "3")],
                                 config: AppDescription.Config(instanceCount: .init(default: 2), classicNetwork: .init(default: false)))
        func viaFoundation<T: Encodable>(_ v: T) throws -> [UInt8] {
            try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(v)).canonicalBytes
        }
        #expect(JSONValue(encoding: Self.job).canonicalBytes == (try viaFoundation(Self.job)))
        #expect(JSONValue(encoding: cluster).canonicalBytes == (try viaFoundation(cluster)))
        #expect(JSONValue(encoding: app).canonicalBytes == (try viaFoundation(app)))
        #expect(JSONValue(encoding: ClusterModification(labels: ["a": "b"])).canonicalString == #"{"Labels":{"a":"b"}}"#)
    }

    @Test func descriptionsReadBackAsWritten() throws {
        #expect(try JSONValue(encoding: Self.job).decoded(as: JobDescription.self) == Self.job)
        let app = AppDescription(name: "a", docker: Wire.Docker(image: "i", registryOSSPath: "oss://r/"), commandLine: "c",
                                 outputParameters: ["out": .init(type: .string, localPath: "/o/")],
                                 config: AppDescription.Config(resourceType: .init(default: "Spot", overwritable: true)))
        #expect(try JSONValue(encoding: app).decoded(as: AppDescription.self) == app)
        // A field the job type does not know stays, as JSON.
        let open = try JSONValue.object(["Name": .string("j"), "Future": .integer(1)]).decoded(as: JobDescription.self)
        #expect(open.other["Future"] == .integer(1) && open.type == .dag)
    }

    @Test func aShapeWithNothingSetIsEmpty() {
        #expect(Wire.Disks(systemDisk: nil, dataDisk: nil).nonEmpty == nil)
        #expect(Wire.Disk(size: 1).nonEmpty != nil)
        #expect(Wire.Networks(vpc: Wire.VPC().nonEmpty).isEmpty)
        #expect(!Wire.Mounts(entries: []).isEmpty)
        #expect(JobDescription.InputMappingConfig().isEmpty)
    }

    /// A plan reads every live object through one set of keys (BCPlan's `LiveKey`), whichever
    /// answer it came from: the answers must spell them alike.
    @Test func theKeysEveryAnswerSharesAreSpelledAlike() {
        #expect(InventoryItem.Key.revision == ClusterStatus.Key.revision && ClusterStatus.Key.revision == AppStatus.Key.revision)
        #expect(InventoryItem.Key.state == JobStatus.Key.state && JobStatus.Key.state == ClusterStatus.Key.state)
        #expect(InventoryItem.Key.labels == JobStatus.Key.labels && JobStatus.Key.labels == ClusterStatus.Key.labels
                && ClusterStatus.Key.labels == AppStatus.Key.labels)
        #expect(InventoryItem.Key.id == JobStatus.Key.id && JobStatus.Key.id == ClusterStatus.Key.id)
        #expect(JobStatus.Key.creationTime == ClusterStatus.Key.creationTime && ClusterStatus.Key.creationTime == AppStatus.Key.creationTime)
        #expect(InventoryItem.Key.message == JobStatus.Key.message)
        #expect(InventoryItem.Key.items == Page<JobStatus>.itemsKey)
        // The descriptions name and label alike (the planner's fixed parts and bodies rely on it).
        #expect(JobDescription.Field.name.rawValue == ClusterDescription.CodingKeys.name.rawValue
                && ClusterDescription.CodingKeys.name.rawValue == AppDescription.CodingKeys.name.rawValue)
        #expect(JobDescription.Field.labels.rawValue == ClusterDescription.CodingKeys.labels.rawValue
                && ClusterDescription.CodingKeys.labels.rawValue == AppDescription.CodingKeys.labels.rawValue)
        #expect(ClusterStatus.Key.groups == ClusterDescription.CodingKeys.groups.rawValue)
        #expect(ClusterStatus.Group.Key.desiredVMCount == ClusterDescription.Group.CodingKeys.desiredVMCount.rawValue)
    }

    @Test func aModificationTakesWhatAGroupChangesInPlace() {
        let group = ClusterDescription.Group(desiredVMCount: 3, instanceType: "t", resourceType: "Spot", spotStrategy: "SpotAsPriceGo",
                                             imageId: "img", hostnamePrefix: "h")
        let modification = ClusterModification(groups: ["g": ClusterModification.Group(group)], labels: ["a": "b"])
        #expect(JSONValue(encoding: modification).canonicalString
                == #"{"Groups":{"g":{"DesiredVMCount":3,"InstanceType":"t","SpotStrategy":"SpotAsPriceGo"}},"Labels":{"a":"b"}}"#)
        #expect(ClusterModification.fields == ["Groups", "ImageId", "EnvVars", "UserData", "Configs", "InputMapping", "Labels"])
    }

    @Test func anAppsDescriptionGoesBackWithNewLabelsAndNothingElseChanged() throws {
        let status = try JSONDecoder().decode(AppStatus.self, from: Data(#"{"Name":"a","CommandLine":"c","Revision":3,"CreationTime":"t","Labels":{"old":"1"},"Future":{"X":1}}"#.utf8))
        let body = JSONValue.object(status.description(labels: ["new": "2"]))
        #expect(body.canonicalString == #"{"CommandLine":"c","Future":{"X":1},"Labels":{"new":"2"},"Name":"a"}"#)
    }
}

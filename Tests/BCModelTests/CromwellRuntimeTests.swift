import Testing
@testable import BCModel

/// The runtime-attribute strings of Cromwell's BatchCompute backend, as WorkflowRun accepts them.
@Suite struct CromwellRuntimeTests {
    typealias Placement = CromwellRuntime.ClusterPlacement
    static let help = CromwellRuntime.clusterSyntaxHelp

    static func auto(_ type: String, _ image: String, _ resource: ResourceType = .OnDemand,
                     strategy: SpotStrategy? = nil, price: Double? = nil, clusterId: String? = nil) -> Placement {
        var spec = AutoClusterSpec(instanceType: type, imageId: image, resourceType: resource)
        spec.spotStrategy = strategy
        spec.spotPriceLimit = price
        return .auto(spec, clusterId: clusterId)
    }

    struct Form: Sendable, CustomTestStringConvertible {
        var text: String
        var placement: Placement
        var testDescription: String { "\"\(text)\"" }
    }

    static let forms: [Form] = [
        .init(text: "cls-hbrbe0ptt8ebpjnzgqrn", placement: .clusterId("cls-hbrbe0ptt8ebpjnzgqrn")),
        .init(text: "gatk-farm", placement: .clusterName("gatk-farm")),
        .init(text: "OnDemand ecs.sn1.medium img-ubuntu-vpc", placement: auto("ecs.sn1.medium", "img-ubuntu-vpc")),
        .init(text: "ecs.sn1.medium img-ubuntu", placement: auto("ecs.sn1.medium", "img-ubuntu")),
        .init(text: "bcs.a2.large m-wz9du0xaalpag4ylwzs", placement: auto("bcs.a2.large", "m-wz9du0xaalpag4ylwzs")),
        .init(text: "Spot ecs.sn1.medium img-ubuntu", placement: auto("ecs.sn1.medium", "img-ubuntu", .Spot)),
        .init(text: "Spot ecs.sn1.medium img-ubuntu SpotWithPriceLimit 0.5",
              placement: auto("ecs.sn1.medium", "img-ubuntu", .Spot, strategy: .SpotWithPriceLimit, price: 0.5)),
        .init(text: "Spot ecs.sn1.medium img-ubuntu SpotAsPriceGo 1.234",
              placement: auto("ecs.sn1.medium", "img-ubuntu", .Spot, strategy: .SpotAsPriceGo, price: 1.234)),
        .init(text: "OnDemand ecs.sn1.medium img-ubuntu cls-abc", placement: auto("ecs.sn1.medium", "img-ubuntu", clusterId: "cls-abc")),
        .init(text: "Spot ecs.sn1.medium img-ubuntu SpotWithPriceLimit 0.125 cls-abc",
              placement: auto("ecs.sn1.medium", "img-ubuntu", .Spot, strategy: .SpotWithPriceLimit, price: 0.125, clusterId: "cls-abc")),
    ]

    @Test(arguments: forms)
    func clusterForms(_ form: Form) {
        #expect(CromwellRuntime.parseCluster(form.text) == .success(form.placement))
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var text: String
        var message: String
        var testDescription: String { "\"\(text)\"" }
    }

    static let bad: [Bad] = [
        .init(text: " cls-abc", message: "has leading or trailing spaces; it \(help)"),
        .init(text: "OnDemand ecs.sn1.medium img-ubuntu ", message: "has leading or trailing spaces; it \(help)"),
        .init(text: "OnDemand  ecs.sn1.medium img-ubuntu", message: "separate the words with single spaces; it \(help)"),
        .init(text: "2farm", message: help),
        .init(text: "OnDemand sn1.medium img-ubuntu", message: "\"sn1.medium\" is not an instance type (ecs.… or bcs.…); it \(help)"),
        .init(text: "Spot ecs.sn1.medium img-ubuntu SpotWithLimit 0.5", message: "\"SpotWithLimit\" is not SpotWithPriceLimit or SpotAsPriceGo"),
        .init(text: "Spot ecs.sn1.medium img-ubuntu SpotWithPriceLimit 0.12345",
              message: "spot price \"0.12345\" must look like 0.5 or 1.234 (0 or 1, a dot, 1–3 decimals)"),
        .init(text: "Spot ecs.sn1.medium img-ubuntu SpotWithPriceLimit 2.5",
              message: "spot price \"2.5\" must look like 0.5 or 1.234 (0 or 1, a dot, 1–3 decimals)"),
        .init(text: "Spot ecs.sn1.medium img-ubuntu SpotWithPriceLimit .5",
              message: "spot price \".5\" must look like 0.5 or 1.234 (0 or 1, a dot, 1–3 decimals)"),
        .init(text: "Spot ecs.sn1.medium img-ubuntu SpotWithPriceLimit 0.5a",
              message: "spot price \"0.5a\" must look like 0.5 or 1.234 (0 or 1, a dot, 1–3 decimals)"),
        // Strategy and price belong to Spot only; one word alone is not a placement.
        .init(text: "OnDemand ecs.sn1.medium img-ubuntu SpotWithPriceLimit 0.5", message: help),
        .init(text: "OnDemand ecs.sn1.medium", message: help),
        .init(text: "Spot ecs.sn1.medium img-ubuntu SpotWithPriceLimit", message: help),
    ]

    @Test(arguments: bad)
    func clusterSyntaxErrors(_ c: Bad) {
        #expect(CromwellRuntime.parseCluster(c.text) == .failure(CromwellSyntaxError(c.message)))
    }

    @Test func emptyClusterIsNotASpacingProblem() {
        let result = CromwellRuntime.parseCluster("")
        #expect(result == .failure(CromwellSyntaxError(Self.help)))
    }

    // MARK: mounts

    @Test(arguments: ["oss://bcs-bucket/bcs-dir/ /home/inputs/ false", "/home/outputs/ oss://bcs-bucket/out/ true",
                      "oss://bkt/ref.fa /home/ref.fa true", "nas://host:/data/ /mnt/data/ false", "smb://host/share/ /mnt/share/ false"])
    func validMounts(_ text: String) {
        #expect(CromwellRuntime.checkMount(text) == nil)
    }

    @Test func mountErrors() {
        let shape = "must be \"<oss://…|nas://…> </local/path> <true|false>\""
        #expect(CromwellRuntime.checkMount("oss://bkt/d/ /home/in/")?.message == "mount \"oss://bkt/d/ /home/in/\" \(shape)")
        #expect(CromwellRuntime.checkMount("oss://bkt/d/ /home/in/ yes")?.message == "mount \"oss://bkt/d/ /home/in/ yes\" \(shape)")
        #expect(CromwellRuntime.checkMount("s3://b/d/ /home/in/ false")?.message
                == "mount \"s3://b/d/ /home/in/ false\" has no oss://, nas://, smb:// or lustre:// side")
        #expect(CromwellRuntime.checkMount("oss://bkt/d/ home/in/ false")?.message
                == "mount \"oss://bkt/d/ home/in/ false\": local path \"home/in/\" must start with /")
        #expect(CromwellRuntime.checkMount("oss://bkt/d/ /home/in false")?.message
                == "mount \"oss://bkt/d/ /home/in false\": oss and local path type not match (both must end with / for a directory)")
    }

    // MARK: disks

    @Test func systemDisks() {
        #expect(CromwellRuntime.checkDisk("cloud_efficiency 250", data: false) == nil)
        #expect(CromwellRuntime.checkDisk("cloud 40", data: false) == nil)
        #expect(CromwellRuntime.checkDisk("cloud_ssd 500", data: false) == nil)
        #expect(CromwellRuntime.checkDisk("cloud 39", data: false)?.message == "disk size 39 GB is out of range 40–500 GB")
        #expect(CromwellRuntime.checkDisk("cloud 501", data: false)?.message == "disk size 501 GB is out of range 40–500 GB")
        for bad in ["ssd 50", "cloud fifty", "cloud 50 /x", "cloud", ""] {
            #expect(CromwellRuntime.checkDisk(bad, data: false)?.message
                    == "systemDisk \"\(bad)\" must be \"<type> <GB>\" such as \"cloud 50\"", "\(bad)")
        }
    }

    @Test func dataDisks() {
        #expect(CromwellRuntime.checkDisk("cloud 250 /home/data/", data: true) == nil)
        #expect(CromwellRuntime.checkDisk("ephemeral 5 /d", data: true) == nil)
        #expect(CromwellRuntime.checkDisk("cloud 4 /d", data: true)?.message == "disk size 4 GB is out of range 5–2000 GB")
        #expect(CromwellRuntime.checkDisk("cloud 2001 /d", data: true)?.message == "disk size 2001 GB is out of range 5–2000 GB")
        #expect(CromwellRuntime.checkDisk("cloud 250 data", data: true)?.message == "data disk mount point \"data\" must start with /")
        for bad in ["cloud 250", "nvme 250 /d", "cloud x /d"] {
            #expect(CromwellRuntime.checkDisk(bad, data: true)?.message
                    == "dataDisk \"\(bad)\" must be \"<type> <GB> <mountPoint>\" such as \"cloud 250 /home/data/\"", "\(bad)")
        }
    }

    // MARK: vpc

    @Test func vpcStrings() {
        #expect(CromwellRuntime.checkVPC("192.168.0.0/16 vpc-xxxx") == nil)
        #expect(CromwellRuntime.checkVPC("vpc-xxxx 192.168.0.0/16") == nil)
        #expect(CromwellRuntime.checkVPC("vpc-xxxx") == nil)
        #expect(CromwellRuntime.checkVPC("192.168.0.0/16") == nil)
        #expect(CromwellRuntime.checkVPC("")?.message == "vpc must hold a CIDR block and/or a vpc- id, such as \"192.168.0.0/16 vpc-xxxx\"")
        #expect(CromwellRuntime.checkVPC("192.168.0.0/16 xxxx")?.message
                == "vpc \"192.168.0.0/16 xxxx\": \"xxxx\" is neither a CIDR block nor a vpc- id")
        #expect(CromwellRuntime.checkVPC("192.168.0.0/33")?.message
                == "vpc \"192.168.0.0/33\": \"192.168.0.0/33\" is neither a CIDR block nor a vpc- id")
    }

    @Test func vpcWithHostBitsSaysSo() {
        let message = CromwellRuntime.checkVPC("192.168.0.1/16 vpc-xxxx")?.message ?? ""
        #expect(!message.isEmpty)
        #expect(message.contains("host bits"))
    }

    @Test func tokenShapes() {
        #expect(CromwellRuntime.isInstanceTypeToken("ecs.sn1.medium"))
        #expect(CromwellRuntime.isInstanceTypeToken("bcs.a2.large"))
        #expect(!CromwellRuntime.isInstanceTypeToken("ecs"))
        #expect(!CromwellRuntime.isInstanceTypeToken("sn1.medium"))
        #expect(!CromwellRuntime.isInstanceTypeToken("acs.x"))
        #expect(CromwellRuntime.isPriceToken("0.5"))
        #expect(CromwellRuntime.isPriceToken("1.234"))
        #expect(!CromwellRuntime.isPriceToken("1.2345"))
        #expect(!CromwellRuntime.isPriceToken("2.5"))
        #expect(!CromwellRuntime.isPriceToken("0."))
        #expect(!CromwellRuntime.isPriceToken("05"))
    }
}

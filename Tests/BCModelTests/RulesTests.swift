import Testing
@testable import BCModel

/// Every shared field rule in `Rules`, with the exact messages users read.
@Suite struct RulesTests {
    // MARK: Names

    @Test(arguments: ["farm", "render-farm", "_tmp", "-x", "a", "Farm_01", String(repeating: "a", count: 63)])
    func validNames(_ name: String) {
        #expect(problems { Rules.name(name, at: "metadata.name", into: &$0) } == [])
    }

    @Test func nameProblems() {
        #expect(problems { Rules.name("", at: "metadata.name", into: &$0) } == ["metadata.name: name must not be empty"])
        let long = String(repeating: "a", count: 64)
        #expect(problems { Rules.name(long, at: "metadata.name", into: &$0) }
                == ["metadata.name: name \"\(long)\" is 64 characters long; the limit is 63"])
        #expect(problems { Rules.name("render farm", at: "metadata.name", into: &$0) }
                == ["metadata.name: name \"render farm\" contains \" \"; only letters, digits, _ and - are allowed"])
        #expect(problems { Rules.name("café", at: "metadata.name", into: &$0) }
                == ["metadata.name: name \"café\" contains \"é\"; only letters, digits, _ and - are allowed"])
        #expect(problems { Rules.name("9lives", at: "metadata.name", into: &$0) }
                == ["metadata.name: name \"9lives\" must not start with a digit"])
    }

    @Test func nameUsesTheCallersWordAndLimit() {
        let name = String(repeating: "t", count: 33)
        #expect(problems { Rules.name(name, at: "spec.tasks.x", what: "task name", maxLength: 32, into: &$0) }
                == ["spec.tasks.x: task name \"\(name)\" is 33 characters long; the limit is 32"])
        #expect(problems { Rules.name(String(name.dropLast()), at: "spec.tasks.x", what: "task name", maxLength: 32, into: &$0) } == [])
    }

    // MARK: OSS

    @Test func ossPrefix() {
        #expect(problems { Rules.ossPrefix("oss://bucket/dir/", at: "p", into: &$0) } == [])
        #expect(problems { Rules.ossPrefix("oss://bucket/", at: "p", into: &$0) } == [])
        #expect(problems { Rules.ossPrefix("oss://bucket/dir", at: "p", into: &$0) } == ["p: OSS prefix \"oss://bucket/dir\" must end with \"/\""])
        // A value that is not an OSS URL at all gets one message, not two.
        #expect(problems { Rules.ossPrefix("s3://bucket/dir", at: "p", into: &$0) } == ["p: \"s3://bucket/dir\" is not an OSS location; expected oss://bucket/path"])
        #expect(problems { Rules.ossPrefix("oss://bkt/../x/", at: "p", into: &$0) } == ["p: \"oss://bkt/../x/\" must not contain \"..\" segments"])
    }

    /// OSS's bucket rule, which oss2 (bcs, the workflow runner) enforces before any request:
    /// a name the engine would take but a client refuses is caught at validation.
    @Test func bucketNamesFollowOSSsRule() {
        for bad in ["oss://wf/x", "oss://My-Bucket/x", "oss://my.bucket/x", "oss://-bkt/x", "oss://bkt-/x", "oss://" + String(repeating: "b", count: 64) + "/x"] {
            var sink = DiagnosticSink()
            #expect(!Rules.ossURL(bad, at: "p", into: &sink), "\(bad)")
            #expect(sink.diagnostics.first?.description.contains("is not an OSS bucket name: 3–63 lowercase letters, digits and hyphens") == true, "\(bad)")
        }
        var sink = DiagnosticSink()
        #expect(Rules.ossURL("oss://abc/x", at: "p", into: &sink) && Rules.ossURL("oss://" + String(repeating: "b", count: 63) + "/x", at: "p", into: &sink))
    }

    @Test func ossURL() {
        var sink = DiagnosticSink()
        #expect(Rules.ossURL("oss://demo-bucket/pkg/worker.tar.gz", at: "p", into: &sink))
        #expect(Rules.ossURL("oss://my-bucket-1/x", at: "p", into: &sink))
        #expect(sink.diagnostics.isEmpty)
        #expect(!Rules.ossURL("https://bucket/x", at: "p", into: &sink))
        #expect(!Rules.ossURL("oss:///x", at: "p", into: &sink))
        #expect(!Rules.ossURL("oss://bad_bucket/x", at: "p", into: &sink))
        #expect(!Rules.ossURL("oss://bkt/a/../x", at: "p", into: &sink))
        #expect(!Rules.ossURL("oss://bkt/a/..", at: "p", into: &sink))
        #expect(sink.diagnostics.map(\.description) == [
            "p: \"https://bucket/x\" is not an OSS location; expected oss://bucket/path",
            "p: \"oss:///x\" has no valid bucket name after oss://",
            "p: \"oss://bad_bucket/x\" has no valid bucket name after oss://",
            "p: \"oss://bkt/a/../x\" must not contain \"..\" segments",
            "p: \"oss://bkt/a/..\" must not contain \"..\" segments",
        ])
        // Dots inside a name are not a parent segment.
        #expect(problems { Rules.ossURL("oss://bkt/a..b/x", at: "p", into: &$0) } == [])
    }

    @Test(arguments: ["oss://bkt/data/", "nas://012.cn-shenzhen.nas.aliyuncs.com:/data/", "smb://host/share/", "lustre://fs/", "nasplus://x/"])
    func mountSourceSchemes(_ source: String) {
        #expect(problems { Rules.mountSource(source, at: "s", into: &$0) } == [])
    }

    @Test func mountSourceProblems() {
        #expect(problems { Rules.mountSource("ftp://host/data/", at: "s", into: &$0) }
                == ["s: mount source \"ftp://host/data/\" must start with oss:// or nas:// (also smb://, lustre://, nasplus://)"])
        #expect(problems { Rules.mountSource("oss:///data/", at: "s", into: &$0) } == ["s: \"oss:///data/\" has no valid bucket name after oss://"])
    }

    // MARK: Local paths

    @Test func linuxLocalPaths() {
        #expect(problems { Rules.localPath("/home/data/", platform: .Linux, at: "d", into: &$0) } == [])
        #expect(problems { Rules.localPath("/a/..b/", platform: .Linux, at: "d", into: &$0) } == [])
        #expect(problems { Rules.localPath("home/data", platform: .Linux, at: "d", into: &$0) }
                == ["d: destination \"home/data\" must be an absolute path (starting with /)"])
        #expect(problems { Rules.localPath("G:", platform: .Linux, at: "d", into: &$0) }
                == ["d: destination \"G:\" is a Windows path; set platform: Windows or use an absolute path such as /home/data/"])
        #expect(problems { Rules.localPath("C:\\out\\", platform: .Linux, at: "d", what: "localOutputDir", into: &$0) }
                == ["d: localOutputDir \"C:\\out\\\" is a Windows path; set platform: Windows or use an absolute path such as /home/data/"])
        #expect(problems { Rules.localPath("/home/../etc/", platform: .Linux, at: "d", into: &$0) }
                == ["d: destination \"/home/../etc/\" must not contain \"..\""])
        #expect(problems { Rules.localPath("/home/..", platform: .Linux, at: "d", into: &$0) }
                == ["d: destination \"/home/..\" must not contain \"..\""])
    }

    @Test func windowsLocalPaths() {
        for ok in ["G:", "g:", "C:\\render_output\\", "D:/data/"] {
            #expect(problems { Rules.localPath(ok, platform: .Windows, at: "d", into: &$0) } == [], "\(ok)")
        }
        #expect(problems { Rules.localPath("/mnt/data/", platform: .Windows, at: "d", into: &$0) }
                == ["d: destination \"/mnt/data/\" must be a drive letter such as G: or an absolute path such as C:\\render_output\\ on a Windows image"])
        #expect(problems { Rules.localPath("D:", platform: .Windows, at: "d", what: "localOutputDir", allowDriveLetter: false, into: &$0) }
                == ["d: localOutputDir \"D:\" must be an absolute path such as C:\\render_output\\ on a Windows image"])
        #expect(problems { Rules.localPath("D:\\out\\", platform: .Windows, at: "d", allowDriveLetter: false, into: &$0) } == [])
    }

    @Test func driveLettersAndWindowsPaths() {
        #expect(Rules.isDriveLetter("G:"))
        #expect(Rules.isDriveLetter("z:"))
        #expect(!Rules.isDriveLetter("1:"))
        #expect(!Rules.isDriveLetter("GG:"))
        #expect(!Rules.isDriveLetter("G"))
        #expect(!Rules.isDriveLetter("É:"))
        #expect(Rules.isWindowsPath("C:\\x"))
        #expect(Rules.isWindowsPath("C:/x"))
        #expect(!Rules.isWindowsPath("C:"))
        #expect(!Rules.isWindowsPath("C:x"))
        #expect(!Rules.isWindowsPath("/C:/x"))
    }

    // MARK: Instance types

    @Test func instanceTypes() {
        let context = ValidationContext()
        #expect(problems { Rules.instanceType("ecs.sn1.medium", in: context, at: "t", into: &$0) } == [])
        #expect(problems { Rules.instanceType("bcs.a2.large", in: context, at: "t", into: &$0) } == [])
        #expect(problems { Rules.instanceType("ecs.sn1.meduim", in: context, at: "t", into: &$0) }
                == ["t: unknown instance type \"ecs.sn1.meduim\"; did you mean \"ecs.sn1.medium\"? (add it to a catalog file with -catalog if it is new)"])
        #expect(problems { Rules.instanceType("gpu", in: context, at: "t", into: &$0) }
                == ["t: unknown instance type \"gpu\" (add it to a catalog file with -catalog if it is new)"])
    }

    @Test func instanceTypesComeFromTheContextsCatalog() {
        let custom = ValidationContext(catalog: InstanceTypeCatalog([InstanceType(name: "ecs.gn6i.xlarge", cpu: 4, memoryGiB: 15)]))
        #expect(problems { Rules.instanceType("ecs.gn6i.xlarge", in: custom, at: "t", into: &$0) } == [])
        #expect(problems { Rules.instanceType("ecs.sn1.medium", in: custom, at: "t", into: &$0) }
                == ["t: unknown instance type \"ecs.sn1.medium\" (add it to a catalog file with -catalog if it is new)"])
    }

    // MARK: Numbers

    @Test func timeoutRange() {
        #expect(problems { Rules.timeout(1, at: "t", into: &$0) } == [])
        #expect(problems { Rules.timeout(604_800, at: "t", into: &$0) } == [])
        #expect(problems { Rules.timeout(0, at: "t", into: &$0) } == ["t: timeout 0 s is out of range 1–604800 s"])
        #expect(problems { Rules.timeout(604_801, at: "t", into: &$0) } == ["t: timeout 604801 s is out of range 1–604800 s"])
    }

    @Test func priorityRange() {
        #expect(problems { Rules.priority(0, at: "p", into: &$0) } == [])
        #expect(problems { Rules.priority(1000, at: "p", into: &$0) } == [])
        #expect(problems { Rules.priority(-1, at: "p", into: &$0) } == ["p: priority -1 is out of range 0–1000"])
        #expect(problems { Rules.priority(1001, at: "p", into: &$0) } == ["p: priority 1001 is out of range 0–1000"])
    }

    @Test func nonNegativeAndPositive() {
        #expect(problems { Rules.nonNegative(0, at: "r", what: "retries", into: &$0) } == [])
        #expect(problems { Rules.nonNegative(-1, at: "r", what: "retries", into: &$0) } == ["r: retries must be ≥ 0, got -1"])
        #expect(problems { Rules.positive(1, at: "n", what: "nodes", into: &$0) } == [])
        #expect(problems { Rules.positive(0, at: "n", what: "nodes", into: &$0) } == ["n: nodes must be ≥ 1, got 0"])
        #expect(problems { Rules.positive(-5, at: "n", what: "nodes", into: &$0) } == ["n: nodes must be ≥ 1, got -5"])
    }

    // MARK: Spot

    @Test func spotCombinationsThatAreFine() {
        #expect(problems { Rules.spot(resourceType: nil, strategy: nil, priceLimit: nil, at: "g", into: &$0) } == [])
        #expect(problems { Rules.spot(resourceType: .OnDemand, strategy: nil, priceLimit: nil, at: "g", into: &$0) } == [])
        #expect(problems { Rules.spot(resourceType: .Spot, strategy: nil, priceLimit: nil, at: "g", into: &$0) } == [])
        #expect(problems { Rules.spot(resourceType: .Spot, strategy: .SpotAsPriceGo, priceLimit: nil, at: "g", into: &$0) } == [])
        for price in [0.001, 0.125, 0.35, 0.29, 1.0, 12.5] {
            #expect(problems { Rules.spot(resourceType: .Spot, strategy: .SpotWithPriceLimit, priceLimit: price, at: "g", into: &$0) } == [], "\(price)")
        }
    }

    @Test func spotFieldsWithoutSpot() {
        #expect(problems { Rules.spot(resourceType: .OnDemand, strategy: .SpotWithPriceLimit, priceLimit: 0.5, at: "g", into: &$0) } == [
            "g.spotStrategy: spotStrategy needs resourceType: Spot",
            "g.spotPriceLimit: spotPriceLimit needs resourceType: Spot",
        ])
        #expect(problems { Rules.spot(resourceType: nil, strategy: nil, priceLimit: 0.5, at: "g", into: &$0) }
                == ["g.spotPriceLimit: spotPriceLimit needs resourceType: Spot"])
    }

    @Test func spotPriceLimitProblems() {
        #expect(problems { Rules.spot(resourceType: .Spot, strategy: .SpotWithPriceLimit, priceLimit: nil, at: "g", into: &$0) }
                == ["g.spotPriceLimit: spotStrategy SpotWithPriceLimit needs a spotPriceLimit"])
        #expect(problems { Rules.spot(resourceType: .Spot, strategy: .SpotAsPriceGo, priceLimit: 0.5, at: "g", into: &$0) }
                == ["g.spotPriceLimit: spotPriceLimit is ignored with SpotAsPriceGo; remove it or use SpotWithPriceLimit"])
        #expect(problems { Rules.spot(resourceType: .Spot, strategy: .SpotWithPriceLimit, priceLimit: 0, at: "g", into: &$0) }
                == ["g.spotPriceLimit: spot price limit must be a positive price, got 0.0"])
        #expect(problems { Rules.spot(resourceType: .Spot, strategy: .SpotWithPriceLimit, priceLimit: -0.5, at: "g", into: &$0) }
                == ["g.spotPriceLimit: spot price limit must be a positive price, got -0.5"])
        #expect(problems { Rules.spot(resourceType: .Spot, strategy: .SpotWithPriceLimit, priceLimit: .infinity, at: "g", into: &$0) }
                == ["g.spotPriceLimit: spot price limit must be a positive price, got inf"])
        #expect(problems { Rules.spot(resourceType: .Spot, strategy: .SpotWithPriceLimit, priceLimit: 0.1234, at: "g", into: &$0) }
                == ["g.spotPriceLimit: spot price limit 0.1234 has more than 3 decimals"])
        #expect(problems { Rules.spot(resourceType: .Spot, strategy: .SpotWithPriceLimit, priceLimit: 0.0005, at: "g", into: &$0) }
                == ["g.spotPriceLimit: spot price limit 0.0005 has more than 3 decimals"])
    }

    @Test func spotPriceLimitWithoutAStrategy() {
        // The rule's contract: "a price limit needs SpotWithPriceLimit". Spot with a limit and no strategy slips through.
        let found = problems { Rules.spot(resourceType: .Spot, strategy: nil, priceLimit: 0.5, at: "g", into: &$0) }
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("g.spotPriceLimit: ") == true)
    }

    // MARK: VPC

    @Test func vpcThatIsFine() {
        #expect(problems { Rules.vpc(VPC(), at: "v", into: &$0) } == [])
        #expect(problems { Rules.vpc(VPC(vpcId: "vpc-2zelezxypuombayu0dsbf", cidrBlock: "192.168.1.0/24", vpcCidrBlock: "192.168.0.0/16"), at: "v", into: &$0) } == [])
        #expect(problems { Rules.vpc(VPC(cidrBlock: "172.16.5.0/24"), at: "v", into: &$0) } == [])
        #expect(problems { Rules.vpc(VPC(cidrBlock: "10.0.0.0/29"), at: "v", into: &$0) } == [])
    }

    @Test func vpcProblems() {
        #expect(problems { Rules.vpc(VPC(vpcId: "2zelezxypuombayu0dsbf"), at: "v", into: &$0) }
                == ["v.vpcId: VPC id \"2zelezxypuombayu0dsbf\" must start with vpc-"])
        #expect(problems { Rules.vpc(VPC(vpcCidrBlock: "8.8.0.0/16"), at: "v", into: &$0) }
                == ["v.vpcCidrBlock: VPC block 8.8.0.0/16 is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"])
        #expect(problems { Rules.vpc(VPC(vpcCidrBlock: "192.168.0.0"), at: "v", into: &$0) }
                == ["v.vpcCidrBlock: \"192.168.0.0\" is not a CIDR block such as 192.168.1.0/24"])
        #expect(problems { Rules.vpc(VPC(cidrBlock: "192.168.1.7/24"), at: "v", into: &$0) }
                == ["v.cidrBlock: \"192.168.1.7/24\" has host bits set; did you mean 192.168.1.0/24?"])
        #expect(problems { Rules.vpc(VPC(cidrBlock: "10.0.1.0/24", vpcCidrBlock: "192.168.0.0/16"), at: "v", into: &$0) }
                == ["v.cidrBlock: cluster block 10.0.1.0/24 is not inside the VPC's block 192.168.0.0/16"])
        #expect(problems { Rules.vpc(VPC(cidrBlock: "8.8.8.0/24"), at: "v", into: &$0) }
                == ["v.cidrBlock: cluster block 8.8.8.0/24 is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"])
        #expect(problems { Rules.vpc(VPC(cidrBlock: "192.168.1.0/30"), at: "v", into: &$0) }
                == ["v.cidrBlock: cluster block 192.168.1.0/30 is too small; the prefix must be /29 or shorter"])
        // A cluster block as wide as the VPC's own is still inside it.
        #expect(problems { Rules.vpc(VPC(cidrBlock: "192.168.0.0/16", vpcCidrBlock: "192.168.0.0/16"), at: "v", into: &$0) } == [])
        // An invalid VPC block falls back to the private-range check for the cluster block.
        #expect(problems { Rules.vpc(VPC(cidrBlock: "8.8.8.0/24", vpcCidrBlock: "nope"), at: "v", into: &$0) } == [
            "v.vpcCidrBlock: \"nope\" is not a CIDR block such as 192.168.1.0/24",
            "v.cidrBlock: cluster block 8.8.8.0/24 is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
        ])
    }

    @Test func checkedCIDRReturnsTheBlockOnlyWhenUsable() {
        var sink = DiagnosticSink()
        #expect(Rules.checkedCIDR("10.1.0.0/16", at: "c", into: &sink) == CIDRBlock("10.1.0.0/16"))
        #expect(Rules.checkedCIDR("10.1.0.1/16", at: "c", into: &sink) == nil)
        #expect(Rules.checkedCIDR("10.1.0.0/40", at: "c", into: &sink) == nil)
        #expect(sink.diagnostics.count == 2)
    }

    // MARK: Disks and mounts

    @Test func diskSizes() {
        #expect(problems { Rules.disks(Disks(systemDisk: Disk(type: .cloud, size: 40), dataDisk: Disk(type: .cloud_ssd, size: 2000, mountPoint: "/data")), platform: .Linux, at: "d", into: &$0) } == [])
        #expect(problems { Rules.disks(Disks(systemDisk: Disk(size: 500), dataDisk: Disk(size: 5)), platform: .Linux, at: "d", into: &$0) } == [])
        #expect(problems { Rules.disks(Disks(systemDisk: Disk(size: 39)), platform: .Linux, at: "d", into: &$0) }
                == ["d.systemDisk.size: system disk size 39 GB is out of range 40–500 GB"])
        #expect(problems { Rules.disks(Disks(systemDisk: Disk(size: 501)), platform: .Linux, at: "d", into: &$0) }
                == ["d.systemDisk.size: system disk size 501 GB is out of range 40–500 GB"])
        #expect(problems { Rules.disks(Disks(dataDisk: Disk(size: 4)), platform: .Linux, at: "d", into: &$0) }
                == ["d.dataDisk.size: data disk size 4 GB is out of range 5–2000 GB"])
        #expect(problems { Rules.disks(Disks(dataDisk: Disk(size: 2001)), platform: .Linux, at: "d", into: &$0) }
                == ["d.dataDisk.size: data disk size 2001 GB is out of range 5–2000 GB"])
        #expect(problems { Rules.disks(Disks(dataDisk: Disk(type: .ephemeral, size: 1024)), platform: .Linux, at: "d", into: &$0) } == [])
        #expect(problems { Rules.disks(Disks(dataDisk: Disk(type: .ephemeral, size: 1025)), platform: .Linux, at: "d", into: &$0) }
                == ["d.dataDisk.size: ephemeral data disks are at most 1024 GB"])
    }

    @Test func diskMountPoints() {
        #expect(problems { Rules.disks(Disks(systemDisk: Disk(size: 40, mountPoint: "/sys")), platform: .Linux, at: "d", into: &$0) }
                == ["d.systemDisk.mountPoint: the system disk has no mount point"])
        #expect(problems { Rules.disks(Disks(dataDisk: Disk(size: 50, mountPoint: "data")), platform: .Linux, at: "d", into: &$0) }
                == ["d.dataDisk.mountPoint: mount point \"data\" must be an absolute path (starting with /)"])
        #expect(problems { Rules.disks(Disks(dataDisk: Disk(size: 50, mountPoint: "E:")), platform: .Windows, at: "d", into: &$0) } == [])
        #expect(problems { Rules.disks(Disks(dataDisk: Disk(size: 50, mountPoint: "E:")), platform: .Linux, at: "d", into: &$0) }
                == ["d.dataDisk.mountPoint: mount point \"E:\" is a Windows path; set platform: Windows or use an absolute path such as /home/data/"])
    }

    @Test func mountEntries() {
        #expect(problems { Rules.mountEntry(MountEntry(source: "oss://bkt/scenes/", destination: "/mnt/scenes/"), platform: .Linux, at: "m", into: &$0) } == [])
        #expect(problems { Rules.mountEntry(MountEntry(source: "oss://bkt/scene.blend", destination: "/mnt/scene.blend"), platform: .Linux, at: "m", into: &$0) } == [])
        #expect(problems { Rules.mountEntry(MountEntry(source: "nas://host:/data/", destination: "/mnt/data"), platform: .Linux, at: "m", into: &$0) } == [])
        #expect(problems { Rules.mountEntry(MountEntry(source: "oss://bkt/scenes/", destination: "G:"), platform: .Windows, at: "m", into: &$0) } == [])
        #expect(problems { Rules.mountEntry(MountEntry(source: "oss://bkt/scenes/", destination: "/mnt/scenes"), platform: .Linux, at: "m", into: &$0) }
                == ["m.destination: source and destination must agree on a trailing / (a directory mounts on a directory, a file on a file)"])
        #expect(problems { Rules.mountEntry(MountEntry(source: "s3://b/x/", destination: "x/"), platform: .Linux, at: "m", into: &$0) } == [
            "m.source: mount source \"s3://b/x/\" must start with oss:// or nas:// (also smb://, lustre://, nasplus://)",
            "m.destination: destination \"x/\" must be an absolute path (starting with /)",
        ])
    }

    @Test func mountEntryOnlyReportsTheWindowsPathOnLinux() {
        let found = problems { Rules.mountEntry(MountEntry(source: "oss://bkt/scenes/", destination: "G:"), platform: .Linux, at: "m", into: &$0) }
        #expect(found == ["m.destination: destination \"G:\" is a Windows path; set platform: Windows or use an absolute path such as /home/data/"])
    }

    @Test func mountsDuplicatesAndLocale() {
        let a = MountEntry(source: "oss://bkt/a/", destination: "/mnt/a/")
        let b = MountEntry(source: "oss://bkt/b/", destination: "/mnt/a/")
        #expect(problems { Rules.mounts(Mounts(entries: [a, b, a]), platform: .Linux, at: "m", into: &$0) } == [
            "m.entries[1].destination: destination \"/mnt/a/\" is already used by entries[0]",
            "m.entries[2].destination: destination \"/mnt/a/\" is already used by entries[0]",
        ])
        for ok in ["GBK", "utf-8", "UTF8", "gb2312", "BIG5"] {
            #expect(problems { Rules.mounts(Mounts(locale: ok), platform: .Linux, at: "m", into: &$0) } == [], "\(ok)")
        }
        #expect(problems { Rules.mounts(Mounts(locale: "latin1"), platform: .Linux, at: "m", into: &$0) }
                == ["m.locale: locale \"latin1\" is not one of GBK, UTF-8, GB2312, BIG5"])
        #expect(problems { Rules.mounts(Mounts(), platform: .Linux, at: "m", into: &$0) } == [])
    }

    // MARK: Environment and secrets

    @Test func environmentKeys() {
        #expect(problems { Rules.env(["PATH": .literal("/bin"), "EMPTY": .literal("")], at: "e", into: &$0) } == [])
        #expect(problems { Rules.env(["A=B": .literal("x")], at: "e", into: &$0) }
                == ["e[\"A=B\"]: environment variable name \"A=B\" must not be empty or contain = or spaces"])
        #expect(problems { Rules.env(["MY VAR": .literal("x")], at: "e", into: &$0) }
                == ["e[\"MY VAR\"]: environment variable name \"MY VAR\" must not be empty or contain = or spaces"])
        #expect(problems { Rules.env(["": .literal("x")], at: "e", into: &$0) }
                == ["e[\"\"]: environment variable name \"\" must not be empty or contain = or spaces"])
        #expect(problems { Rules.env(["a b": .literal("x")], at: "u", what: "user data key", into: &$0) }
                == ["u[\"a b\"]: user data key name \"a b\" must not be empty or contain = or spaces"])
        #expect(problems { Rules.env(["TOKEN": .secret(SecretSource())], at: "e", into: &$0) }
                == ["e.TOKEN.secretFrom: secretFrom needs env or file"])
    }

    @Test func secrets() {
        #expect(problems { Rules.secret(.literal("plain"), at: "v", into: &$0) } == [])
        #expect(problems { Rules.secret(.secret(SecretSource(env: "TOKEN_1")), at: "v", into: &$0) } == [])
        #expect(problems { Rules.secret(.secret(SecretSource(file: "/run/secrets/token")), at: "v", into: &$0) } == [])
        #expect(problems { Rules.secret(.secret(SecretSource()), at: "v", into: &$0) } == ["v.secretFrom: secretFrom needs env or file"])
        #expect(problems { Rules.secret(.secret(SecretSource(env: "A", file: "/f")), at: "v", into: &$0) }
                == ["v.secretFrom: secretFrom takes exactly one of env or file, not both"])
        for bad in ["MY-TOKEN", "9TOKEN", "", "MY TOKEN"] {
            #expect(problems { Rules.secret(.secret(SecretSource(env: bad)), at: "v", into: &$0) }
                    == ["v.secretFrom.env: \"\(bad)\" is not an environment variable name"], "\(bad)")
        }
        #expect(problems { Rules.secret(.secret(SecretSource(file: "")), at: "v", into: &$0) } == ["v.secretFrom.file: file path must not be empty"])
    }

    // MARK: Auto clusters and images

    @Test func autoCluster() {
        let context = ValidationContext()
        #expect(problems { Rules.autoCluster(AutoClusterSpec(instanceType: "ecs.sn1.medium", imageId: "img-ubuntu"), platform: .Linux, in: context, at: "a", into: &$0) } == [])
        var broken = AutoClusterSpec(instanceType: "ecs.nope", imageId: "ubuntu", resourceType: .OnDemand)
        broken.spotStrategy = .SpotAsPriceGo
        broken.disks = Disks(systemDisk: Disk(size: 10))
        broken.vpc = VPC(vpcId: "x")
        broken.userData = ["a=b": .literal("c")]
        #expect(problems { Rules.autoCluster(broken, platform: .Linux, in: context, at: "a", into: &$0) } == [
            "a.instanceType: unknown instance type \"ecs.nope\" (add it to a catalog file with -catalog if it is new)",
            "a.imageId: image id \"ubuntu\" must be a BatchCompute image (img-…) or an ECS image (m-…)",
            "a.spotStrategy: spotStrategy needs resourceType: Spot",
            "a.disks.systemDisk.size: system disk size 10 GB is out of range 40–500 GB",
            "a.vpc.vpcId: VPC id \"x\" must start with vpc-",
            "a.userData[\"a=b\"]: user data key name \"a=b\" must not be empty or contain = or spaces",
        ])
    }

    @Test func imageIds() {
        for ok in ["img-ubuntu", "img-sge", "m-wz9du0xaalpag4ylwzs", "m-1"] {
            #expect(problems { Rules.imageId(ok, at: "i", into: &$0) } == [], "\(ok)")
        }
        for bad in ["ubuntu", "m-", "", "img-ubuntu 18", "ami-123"] {
            #expect(problems { Rules.imageId(bad, at: "i", into: &$0) }
                    == ["i: image id \"\(bad)\" must be a BatchCompute image (img-…) or an ECS image (m-…)"], "\(bad)")
        }
    }

    @Test func commandLineVariables() {
        #expect(Rules.variables(in: "python count.py --in ${input} --out ${output}") == ["input", "output"])
        #expect(Rules.variables(in: "${a}${b}") == ["a", "b"])
        #expect(Rules.variables(in: "echo $HOME ${unclosed") == [])
        #expect(Rules.variables(in: "echo ${}") == [""])
        #expect(Rules.variables(in: "echo ${x} ${x}") == ["x", "x"])
        #expect(Rules.variables(in: "日本 ${名前}") == ["名前"])
    }
}

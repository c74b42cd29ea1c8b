import Testing
@testable import BCModel

/// Minimal valid specs of every kind; each test breaks one field and expects exactly its problem.
enum Minimal {
    static var app: AppSpec { AppSpec(image: AppImage(docker: DockerImage(image: "ubuntu:22.04")), commandLine: "echo hello") }
    static var group: ClusterGroup { ClusterGroup(instanceType: "ecs.sn1.medium", desiredCount: 1) }
    static var cluster: ClusterSpec { ClusterSpec(imageId: "img-ubuntu", groups: ["workers": group]) }
    static var sge: SGEClusterSpec {
        var s = SGEClusterSpec(master: SGEMaster(instanceType: "ecs.sn1.medium", imageId: "img-sge"),
                               groups: ["default": group], vpc: VPC(cidrBlock: "192.168.1.0/24"))
        s.imageId = "img-sge"
        return s
    }
    static var project: RenderProjectSpec {
        RenderProjectSpec(image: "m-wz9du0xaalpag4ylwzs", software: RenderSoftware(name: "blender"),
                          ossMappings: [MountEntry(source: "oss://renderbucket/blender/", destination: "/mnt/blender/")],
                          ossOutput: "oss://renderbucket/output/", localOutputDir: "/render_output/")
    }
    static var renderJob: RenderJobSpec { RenderJobSpec(project: "blender-demo", scene: "monkey/cube.blend", frames: "1-250") }
    static var workflowRun: WorkflowRunSpec { WorkflowRunSpec(workflow: "src/main.wdl", outputsDir: "oss://demo-bucket/out/") }
    static var task: TaskSpec {
        var t = TaskSpec(command: "python count.py")
        t.cluster = "farm"
        return t
    }
    static var job: JobSpec { JobSpec(tasks: ["count": task]) }
}

@Suite struct KindValidationTests {
    @Test func minimalSpecsOfEveryKindAreValid() {
        #expect(problems(of: Minimal.app) == [])
        #expect(problems(of: Minimal.cluster) == [])
        #expect(problems(of: Minimal.sge) == [])
        #expect(problems(of: Minimal.project) == [])
        #expect(problems(of: Minimal.renderJob) == [])
        #expect(problems(of: Minimal.workflowRun) == [])
        #expect(problems(of: Minimal.job) == [])
    }

    @Test func everyKindMapsToItsSpecType() {
        #expect(Kind.allCases.map { $0.specType.kind } == Kind.allCases)
        #expect(Kind.allCases.filter(\.isRun) == [.RenderJob, .WorkflowRun, .Job])
        #expect(Kind.apiVersion == "bcops.io/v1")
        #expect(Kind.Cluster < Kind.Job)
    }

    // MARK: App

    @Test func appImage() {
        var s = Minimal.app
        s.image = AppImage()
        #expect(problems(of: s) == ["spec.image: set exactly one of docker or vm"])
        s.image = AppImage(docker: DockerImage(image: "x"), vm: VMImage(imageId: "m-abc"))
        #expect(problems(of: s) == ["spec.image: set exactly one of docker or vm, not both"])
        s.image = AppImage(docker: DockerImage(image: ""))
        #expect(problems(of: s) == ["spec.image.docker.image: must not be empty"])
        s.image = AppImage(docker: DockerImage(image: "x", registryOSSPath: "oss://bkt/dockers"))
        #expect(problems(of: s) == ["spec.image.docker.registryOSSPath: OSS prefix \"oss://bkt/dockers\" must end with \"/\""])
        s.image = AppImage(vm: VMImage(imageId: "ubuntu"))
        #expect(problems(of: s) == ["spec.image.vm.imageId: image id \"ubuntu\" must be a BatchCompute image (img-…) or an ECS image (m-…)"])
        s.image = AppImage(vm: VMImage(imageId: "m-wz9du0xaalpag4ylwzs"))
        #expect(problems(of: s) == [])
    }

    @Test func appCommandLineAndParameters() {
        var s = Minimal.app
        s.commandLine = "  "
        #expect(problems(of: s) == ["spec.commandLine: must not be empty"])
        s.commandLine = "python run.py ${input} ${ouput}"
        s.inputs = ["input": AppParameter()]
        s.outputs = ["output": AppParameter()]
        #expect(problems(of: s) == ["spec.commandLine: ${ouput} is not a declared input or output parameter; did you mean \"output\"?"])
        s.commandLine = "python run.py ${x}"
        s.inputs = ["x": AppParameter()]
        s.outputs = ["x": AppParameter()]
        #expect(problems(of: s) == ["spec.outputs.x: parameter \"x\" is declared both as input and output"])
        s.outputs = nil
        s.inputs = ["x": AppParameter(), "1st": AppParameter()]
        #expect(problems(of: s) == ["spec.inputs.1st: parameter name \"1st\" must not start with a digit"])
    }

    @Test func appParameterRules() {
        var s = Minimal.app
        s.commandLine = "run ${p}"
        s.inputs = ["p": AppParameter(type: .Number, default: "ten")]
        #expect(problems(of: s) == ["spec.inputs.p.default: default \"ten\" is not a number but the parameter type is Number"])
        s.inputs = ["p": AppParameter(type: .Number, default: "2.5e3")]
        #expect(problems(of: s) == [])
        s.inputs = ["p": AppParameter(default: "oss://bkt/in/", localPath: "home/in/")]
        #expect(problems(of: s) == ["spec.inputs.p.localPath: localPath \"home/in/\" must be an absolute path (starting with /)"])
        s.inputs = ["p": AppParameter(default: "/data/in/", localPath: "/home/in/")]
        #expect(problems(of: s) == ["spec.inputs.p.default: \"/data/in/\" is not an OSS location; expected oss://bucket/path"])
        s.inputs = ["p": AppParameter(overwritable: false)]
        #expect(problems(of: s) == ["spec.inputs.p.overwritable: a parameter that cannot be overwritten needs a default"])
    }

    @Test func appNumberDefaultMustBeAPlainNumber() {
        var s = Minimal.app
        s.commandLine = "run ${p}"
        s.inputs = ["p": AppParameter(type: .Number, default: "nan")]
        #expect(problems(of: s) == ["spec.inputs.p.default: default \"nan\" is not a number but the parameter type is Number"])
    }

    @Test func appEnvAndConfig() {
        var s = Minimal.app
        s.env = ["BAD KEY": .literal("x")]
        #expect(problems(of: s) == ["spec.env[\"BAD KEY\"]: environment variable name \"BAD KEY\" must not be empty or contain = or spaces"])
        s.env = nil
        var config = AppConfig()
        config.instanceType = "ecs.sn1.meduim"
        config.instanceCount = 0
        config.maxRetryCount = -1
        config.timeout = 0
        config.disks = Disks(systemDisk: Disk(size: 1))
        s.config = config
        #expect(problems(of: s) == [
            "spec.config.disks.systemDisk.size: system disk size 1 GB is out of range 40–500 GB",
            "spec.config.instanceCount: instanceCount must be ≥ 1, got 0",
            "spec.config.instanceType: unknown instance type \"ecs.sn1.meduim\"; did you mean \"ecs.sn1.medium\"? (add it to a catalog file with -catalog if it is new)",
            "spec.config.maxRetryCount: maxRetryCount must be ≥ 0, got -1",
            "spec.config.timeout: timeout 0 s is out of range 1–604800 s",
        ])
    }

    // MARK: Cluster

    @Test func clusterTopLevel() {
        var s = Minimal.cluster
        s.imageId = "ubuntu"
        #expect(problems(of: s) == ["spec.imageId: image id \"ubuntu\" must be a BatchCompute image (img-…) or an ECS image (m-…)"])
        s = Minimal.cluster
        s.groups = [:]
        #expect(problems(of: s) == ["spec.groups: a cluster needs at least one group"])
        s = Minimal.cluster
        s.instanceType = "ecs.nope"
        #expect(problems(of: s) == ["spec.instanceType: unknown instance type \"ecs.nope\" (add it to a catalog file with -catalog if it is new)"])
        s = Minimal.cluster
        s.bootstrap = " "
        #expect(problems(of: s) == ["spec.bootstrap: must not be empty"])
        s = Minimal.cluster
        s.userData = ["a=b": .literal("x")]
        #expect(problems(of: s) == ["spec.userData[\"a=b\"]: user data key name \"a=b\" must not be empty or contain = or spaces"])
        s = Minimal.cluster
        s.vpc = VPC(cidrBlock: "192.168.1.1/24")
        #expect(problems(of: s) == ["spec.vpc.cidrBlock: \"192.168.1.1/24\" has host bits set; did you mean 192.168.1.0/24?"])
    }

    @Test func clusterGroups() {
        var s = Minimal.cluster
        s.groups = ["workers": ClusterGroup(desiredCount: 1)]
        #expect(problems(of: s) == ["spec.groups.workers.instanceType: group \"workers\" has no instanceType and the spec sets no default"])
        s.instanceType = "ecs.sn1.medium"
        #expect(problems(of: s) == [])
        s = Minimal.cluster
        s.groups = ["bad name": Minimal.group]
        #expect(problems(of: s) == ["spec.groups[\"bad name\"]: group name \"bad name\" contains \" \"; only letters, digits, _ and - are allowed"])
        var g = Minimal.group
        g.desiredCount = -1
        s.groups = ["workers": g]
        #expect(problems(of: s) == ["spec.groups.workers.desiredCount: desiredCount must be ≥ 0, got -1"])
        g = Minimal.group
        g.desiredCount = 0
        s.groups = ["workers": g]
        #expect(problems(of: s) == [])
        g.hostnamePrefix = String(repeating: "h", count: 33)
        s.groups = ["workers": g]
        #expect(problems(of: s) == ["spec.groups.workers.hostnamePrefix: hostname prefix \"\(g.hostnamePrefix!)\" is 33 characters long; the limit is 32"])
        g = Minimal.group
        g.imageId = "ubuntu"
        s.groups = ["workers": g]
        #expect(problems(of: s) == ["spec.groups.workers.imageId: image id \"ubuntu\" must be a BatchCompute image (img-…) or an ECS image (m-…)"])
        g = Minimal.group
        g.spotPriceLimit = 0.5
        s.groups = ["workers": g]
        #expect(problems(of: s) == ["spec.groups.workers.spotPriceLimit: spotPriceLimit needs resourceType: Spot"])
    }

    @Test func clusterPlatformDecidesMountDestinations() {
        var s = Minimal.cluster
        s.mounts = Mounts(entries: [MountEntry(source: "oss://bkt/scenes/", destination: "G:")])
        s.platform = .Windows
        #expect(problems(of: s) == [])
        s.mounts = Mounts(entries: [MountEntry(source: "oss://bkt/scenes/", destination: "/mnt/scenes/")])
        #expect(problems(of: s) == ["spec.mounts.entries[0].destination: destination \"/mnt/scenes/\" must be a drive letter such as G: or an absolute path such as C:\\render_output\\ on a Windows image"])
        s.platform = nil
        #expect(problems(of: s) == [])
        s.disks = Disks(dataDisk: Disk(size: 100, mountPoint: "E:"))
        #expect(problems(of: s) == ["spec.disks.dataDisk.mountPoint: mount point \"E:\" is a Windows path; set platform: Windows or use an absolute path such as /home/data/"])
    }

    // MARK: SGECluster

    /// A prepaid cluster bought in the console is attached by id, as `bcc attach` does.
    @Test func sgeAttachTakesAClusterId() {
        var s = Minimal.sge
        s.attach = "cls-6ki4fsea5ldlvsupbrk01q"
        #expect(problems(of: s) == [])
        s.attach = "6ki4fsea5ldlvsupbrk01q"
        #expect(problems(of: s) == ["spec.attach: attach takes an existing cluster id such as cls-6ki4fsea5ldlvsupbrk01q"])
    }

    @Test func sgeMaster() {
        var s = Minimal.sge
        s.master.instanceType = "ecs.t1.small"
        #expect(problems(of: s) == ["spec.master.instanceType: the SGE master needs at least 2 vCPUs and 4 GB; ecs.t1.small has 1 vCPU and 1 GB"])
        s.master.instanceType = "ecs.s2.small"
        #expect(problems(of: s) == ["spec.master.instanceType: the SGE master needs at least 2 vCPUs and 4 GB; ecs.s2.small has 2 vCPU and 2 GB"])
        s.master.instanceType = "ecs.sn1.medium"
        s.master.hostname = "sge master"
        #expect(problems(of: s) == ["spec.master.hostname: \"sge master\" is not a host name"])
        s.master.hostname = "sge-master.local"
        s.master.ipAddress = "192.168.1.300"
        #expect(problems(of: s) == ["spec.master.ipAddress: \"192.168.1.300\" is not an IPv4 address"])
        s.master.ipAddress = "192.168.1.10"
        s.master.imageId = "sge"
        #expect(problems(of: s) == ["spec.master.imageId: image id \"sge\" must be a BatchCompute image (img-…) or an ECS image (m-…)"])
    }

    @Test func sgeWorkersAndNetwork() {
        var s = Minimal.sge
        s.vpc = VPC(vpcId: "vpc-abc")
        #expect(problems(of: s) == ["spec.vpc.cidrBlock: SGE clusters run only in a VPC: set the cluster's cidrBlock"])
        s = Minimal.sge
        s.imageId = nil
        #expect(problems(of: s) == ["spec.groups.default.imageId: group \"default\" has no imageId and the spec sets no default imageId"])
        var g = Minimal.group
        g.imageId = "img-sge"
        s.groups = ["default": g]
        #expect(problems(of: s) == [])
        s = Minimal.sge
        s.groups = [:]
        #expect(problems(of: s) == ["spec.groups: an SGE cluster needs at least one worker group"])
        s = Minimal.sge
        s.groups = ["default": ClusterGroup(desiredCount: 1)]
        #expect(problems(of: s) == ["spec.groups.default.instanceType: group \"default\" has no instanceType and the spec sets no default"])
        s = Minimal.sge
        s.env = ["SGE_MASTER_HOST_NAME": .literal("m"), "OTHER": .literal("x")]
        #expect(problems(of: s) == ["spec.env.SGE_MASTER_HOST_NAME: SGE_MASTER_HOST_NAME is set from spec.master; remove it here"])
    }

    // MARK: RenderProject

    @Test func renderSoftware() {
        var s = Minimal.project
        s.software = RenderSoftware(name: "maya", sceneSuffix: ".ma")
        #expect(problems(of: s) == ["spec.software.command: software \"maya\" is not built in; give a command template"])
        s.software = RenderSoftware(name: "Blender", sceneSuffix: "blend")
        #expect(problems(of: s) == ["spec.software.sceneSuffix: scene suffix \"blend\" must start with a dot, such as .blend"])
        s.software = RenderSoftware(name: " ", command: "render $SCENE")
        #expect(problems(of: s) == ["spec.software.name: must not be empty"])
        s.software = RenderSoftware(name: "c4d", command: "Commandline -render $SCENE -frame $FRAME")
        #expect(problems(of: s) == ["spec.software.command: unknown variable $FRAME; did you mean \"FRAMES\"?; declare it under params"])
        s.software = RenderSoftware(name: "c4d", command: "Commandline -render ${SCENE} -take $TAKE", params: ["TAKE": RenderParam()])
        #expect(problems(of: s) == [])
        s.software = RenderSoftware(name: "c4d", command: "render $SCENE", params: ["FRAMES": RenderParam(), "my-param": RenderParam()])
        #expect(problems(of: s) == [
            "spec.software.params.FRAMES: FRAMES is a built-in variable and cannot be redeclared",
            "spec.software.params.my-param: parameter name \"my-param\" must be letters, digits and _, not starting with a digit",
        ])
    }

    @Test func renderTemplateVariables() {
        #expect(RenderSoftware.variables(in: "blender -b $SCENE -o $OUTPUT_LOCAL_DIR/#### -t ${CPU} -f $FRAMES") == ["SCENE", "OUTPUT_LOCAL_DIR", "CPU", "FRAMES"])
        #expect(RenderSoftware.variables(in: "cost $ 5 and $$") == [])
        #expect(RenderSoftware.variables(in: "$A_1-$B") == ["A_1", "B"])
    }

    @Test func renderProjectMappingsAndOutputs() {
        var s = Minimal.project
        s.ossMappings = []
        #expect(problems(of: s) == ["spec.ossMappings: a project needs at least one OSS mapping holding its scenes"])
        s.ossMappings = [MountEntry(source: "oss://bkt/a/", destination: "/mnt/a/"), MountEntry(source: "oss://bkt/b", destination: "/mnt/a/")]
        #expect(problems(of: s) == [
            "spec.ossMappings[1].destination: destination \"/mnt/a/\" is already used by ossMappings[0]",
            "spec.ossMappings[1].source: OSS prefix \"oss://bkt/b\" must end with \"/\"",
        ])
        s = Minimal.project
        s.ossOutput = "/local/out/"
        #expect(problems(of: s) == ["spec.ossOutput: \"/local/out/\" is not an OSS location; expected oss://bucket/path"])
        s = Minimal.project
        s.image = "img"
        #expect(problems(of: s) == ["spec.image: image id \"img\" must be a BatchCompute image (img-…) or an ECS image (m-…)"])
        s = Minimal.project
        s.downloadDir = "rm_output/"
        #expect(problems(of: s) == ["spec.downloadDir: downloadDir is used only with autoDownload: true"])
        s.autoDownload = true
        #expect(problems(of: s) == [])
    }

    @Test func windowsRenderProject() {
        var s = Minimal.project
        s.platform = .Windows
        s.ossMappings = [MountEntry(source: "oss://bkt/scenes/", destination: "G:")]
        s.localOutputDir = "C:\\render_output\\"
        #expect(problems(of: s) == [])
        s.localOutputDir = "D:"
        #expect(problems(of: s) == ["spec.localOutputDir: localOutputDir \"D:\" must be an absolute path such as C:\\render_output\\ on a Windows image"])
    }

    @Test func renderDefaults() {
        var s = Minimal.project
        var d = RenderDefaults()
        d.cluster = "farm"
        d.autoCluster = AutoClusterSpec(instanceType: "ecs.sn1.medium")
        d.nodes = 0
        d.retries = -1
        d.priority = 1001
        s.defaults = d
        #expect(problems(of: s) == [
            "spec.defaults.autoCluster: set cluster or autoCluster, not both",
            "spec.defaults.nodes: nodes must be ≥ 1, got 0",
            "spec.defaults.priority: priority 1001 is out of range 0–1000",
            "spec.defaults.retries: retries must be ≥ 0, got -1",
        ])
    }

    // MARK: RenderJob

    @Test func renderJobFramesAndScene() {
        var s = Minimal.renderJob
        s.frames = "10-1"
        #expect(problems(of: s) == ["spec.frames: frames \"10-1\": range runs backwards (10 > 1)"])
        s = Minimal.renderJob
        s.frames = ""
        #expect(problems(of: s) == ["spec.frames: frames must not be empty"])
        s = Minimal.renderJob
        s.scene = ""
        #expect(problems(of: s) == ["spec.scene: must not be empty"])
        s.scene = "/monkey/cube.blend"
        #expect(problems(of: s) == ["spec.scene: scene \"/monkey/cube.blend\" must be relative to the project's OSS mapping (or an oss:// path)"])
        s.scene = "../other/cube.blend"
        #expect(problems(of: s) == ["spec.scene: scene \"../other/cube.blend\" must not contain \"..\""])
        s.scene = "oss:///cube.blend"
        #expect(problems(of: s) == ["spec.scene: \"oss:///cube.blend\" has no valid bucket name after oss://"])
        s.scene = "oss://renderbucket/blender/cube.blend"
        #expect(problems(of: s) == [])
    }

    @Test func renderJobResources() {
        var s = Minimal.renderJob
        s.project = "blender demo"
        #expect(problems(of: s) == ["spec.project: project name \"blender demo\" contains \" \"; only letters, digits, _ and - are allowed"])
        s = Minimal.renderJob
        s.nodes = 0
        s.framesPerTask = 0
        #expect(problems(of: s) == [
            "spec.framesPerTask: framesPerTask must be ≥ 1, got 0",
            "spec.framesPerTask: set nodes or framesPerTask, not both",
            "spec.nodes: nodes must be ≥ 1, got 0",
        ])
        s = Minimal.renderJob
        s.cluster = "farm"
        s.autoCluster = AutoClusterSpec(instanceType: "ecs.sn1.medium")
        #expect(problems(of: s) == ["spec.autoCluster: set cluster or autoCluster, not both"])
        s.autoCluster = nil
        s.cluster = "my farm"
        #expect(problems(of: s) == ["spec.cluster: cluster name \"my farm\" contains \" \"; only letters, digits, _ and - are allowed"])
        s = Minimal.renderJob
        s.autoCluster = AutoClusterSpec(instanceType: "ecs.sn1.meduim")
        #expect(problems(of: s) == ["spec.autoCluster.instanceType: unknown instance type \"ecs.sn1.meduim\"; did you mean \"ecs.sn1.medium\"? (add it to a catalog file with -catalog if it is new)"])
        s = Minimal.renderJob
        s.retries = -1
        s.priority = 2000
        #expect(problems(of: s) == ["spec.priority: priority 2000 is out of range 0–1000", "spec.retries: retries must be ≥ 0, got -1"])
    }

    // MARK: WorkflowRun

    @Test func workflowRunFiles() {
        var s = Minimal.workflowRun
        s.workflow = " "
        #expect(problems(of: s) == ["spec.workflow: must not be empty"])
        s.workflow = "/home/me/main.wdl"
        #expect(problems(of: s) == ["spec.workflow: workflow \"/home/me/main.wdl\" must be relative to the manifest (the repository is the source of truth) or a URL"])
        s.workflow = "https://example.com/main.wdl"
        #expect(problems(of: s) == [])
        s.workflow = "oss:///main.wdl"
        #expect(problems(of: s) == ["spec.workflow: \"oss:///main.wdl\" has no valid bucket name after oss://"])
        s = Minimal.workflowRun
        s.inputs = ["W.x": .integer(1)]
        s.inputsFile = "inputs.json"
        #expect(problems(of: s) == ["spec.inputsFile: set inputs or inputsFile, not both"])
        s.inputs = nil
        s.inputsFile = "/tmp/inputs.json"
        #expect(problems(of: s) == ["spec.inputsFile: inputsFile \"/tmp/inputs.json\" must be relative to the manifest"])
        s = Minimal.workflowRun
        s.outputsDir = "oss://bkt/out"
        s.workingDir = "s3://b/work/"
        #expect(problems(of: s) == [
            "spec.outputsDir: OSS prefix \"oss://bkt/out\" must end with \"/\"",
            "spec.workingDir: \"s3://b/work/\" is not an OSS location; expected oss://bucket/path",
        ])
        s = Minimal.workflowRun
        s.tag = "wgs 30x"
        #expect(problems(of: s) == ["spec.tag: tag \"wgs 30x\" may hold only letters, digits, _ and -"])
        s.tag = "wgs_30x-1"
        #expect(problems(of: s) == [])
    }

    @Test func workflowRuntime() {
        var s = Minimal.workflowRun
        var r = WorkflowRuntime(cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc")
        r.mounts = ["oss://bkt/ref/ /home/ref/ false", "oss://bkt/ref/ /home/ref false"]
        r.docker = "my image"
        r.systemDisk = "cloud 20"
        r.dataDisk = "cloud 250"
        r.vpc = "vpc"
        r.userData = ["role gatk", "role"]
        r.timeout = 0
        r.maxRetries = -1
        r.imageId = "ubuntu"
        s.runtime = r
        #expect(problems(of: s) == [
            "spec.runtime.dataDisk: dataDisk \"cloud 250\" must be \"<type> <GB> <mountPoint>\" such as \"cloud 250 /home/data/\"",
            "spec.runtime.docker: docker must be one image name such as registry.cn-shanghai.aliyuncs.com/batchcompute/myubuntu:0.2",
            "spec.runtime.imageId: image id \"ubuntu\" must be a BatchCompute image (img-…) or an ECS image (m-…)",
            "spec.runtime.maxRetries: maxRetries must be ≥ 0, got -1",
            "spec.runtime.mounts[1]: mount \"oss://bkt/ref/ /home/ref false\": oss and local path type not match (both must end with / for a directory)",
            "spec.runtime.systemDisk: disk size 20 GB is out of range 40–500 GB",
            "spec.runtime.timeout: timeout 0 s is out of range 1–604800 s",
            "spec.runtime.userData[1]: user data \"role\" must be \"<key> <value>\"",
            "spec.runtime.vpc: vpc \"vpc\": \"vpc\" is neither a CIDR block nor a vpc- id",
        ])
    }

    @Test func workflowRuntimeCluster() {
        var s = Minimal.workflowRun
        s.runtime = WorkflowRuntime(cluster: "OnDemand ecs.gpu9.none img-ubuntu")
        #expect(problems(of: s) == ["spec.runtime.cluster: unknown instance type \"ecs.gpu9.none\" (add it to a catalog file with -catalog if it is new)"])
        s.runtime = WorkflowRuntime(cluster: "gatk-farm")
        #expect(problems(of: s) == [])
        s.runtime = WorkflowRuntime(cluster: "cls-abc")
        #expect(problems(of: s) == [])
        s.runtime = WorkflowRuntime(cluster: "2farm")
        let found = problems(of: s)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("spec.runtime.cluster: cluster \"2farm\"") == true)
        #expect(found.first?.hasSuffix(CromwellRuntime.clusterSyntaxHelp) == true)
        s.runtime = nil
        s.runner = WorkflowRunner(instanceType: "ecs.nope", diskType: nil, cluster: "my farm")
        #expect(problems(of: s) == [
            "spec.runner.cluster: cluster name \"my farm\" contains \" \"; only letters, digits, _ and - are allowed",
            "spec.runner.instanceType: unknown instance type \"ecs.nope\" (add it to a catalog file with -catalog if it is new)",
        ])
    }

    // MARK: Job

    @Test func jobLevel() {
        var s = Minimal.job
        s.priority = 2000
        #expect(problems(of: s) == ["spec.priority: priority 2000 is out of range 0–1000"])
        s = Minimal.job
        s.tasks = [:]
        #expect(problems(of: s) == ["spec.tasks: a job needs at least one task"])
        s.tasks = [String(repeating: "t", count: 33): Minimal.task]
        #expect(problems(of: s) == ["spec.tasks.\(String(repeating: "t", count: 33)): task name \"\(String(repeating: "t", count: 33))\" is 33 characters long; the limit is 32"])
    }

    @Test func taskPlacement() {
        var t = Minimal.task
        t.cluster = nil
        #expect(problems(of: JobSpec(tasks: ["a": t])) == ["spec.tasks.a: set cluster or autoCluster"])
        t.cluster = "farm"
        t.autoCluster = AutoClusterSpec(instanceType: "ecs.sn1.medium")
        #expect(problems(of: JobSpec(tasks: ["a": t])) == ["spec.tasks.a.autoCluster: set cluster or autoCluster, not both"])
        t.autoCluster = nil
        t.cluster = "cls-hbrbe0ptt8ebpjnzgqrn"
        #expect(problems(of: JobSpec(tasks: ["a": t])) == [])
        t.cluster = "my farm"
        #expect(problems(of: JobSpec(tasks: ["a": t])) == ["spec.tasks.a.cluster: cluster name \"my farm\" contains \" \"; only letters, digits, _ and - are allowed"])
        t.cluster = nil
        t.autoCluster = AutoClusterSpec(instanceType: "ecs.sn1.medium", imageId: "ubuntu")
        #expect(problems(of: JobSpec(tasks: ["a": t])) == ["spec.tasks.a.autoCluster.imageId: image id \"ubuntu\" must be a BatchCompute image (img-…) or an ECS image (m-…)"])
    }

    @Test func taskFields() {
        var t = Minimal.task
        t.instanceCount = 0
        t.maxRetryCount = -1
        t.timeout = 700_000
        t.command = ""
        #expect(problems(of: JobSpec(tasks: ["a": t])) == [
            "spec.tasks.a.command: must not be empty",
            "spec.tasks.a.instanceCount: instanceCount must be ≥ 1, got 0",
            "spec.tasks.a.maxRetryCount: maxRetryCount must be ≥ 0, got -1",
            "spec.tasks.a.timeout: timeout 700000 s is out of range 1–604800 s",
        ])
        t = Minimal.task
        t.packagePath = "oss://bkt/pkg/worker.zip"
        #expect(problems(of: JobSpec(tasks: ["a": t])) == ["spec.tasks.a.packagePath: package \"oss://bkt/pkg/worker.zip\" must be a .tar.gz"])
        t.packagePath = "http://b/worker.tar.gz"
        #expect(problems(of: JobSpec(tasks: ["a": t])) == ["spec.tasks.a.packagePath: \"http://b/worker.tar.gz\" is not an OSS location; expected oss://bucket/path"])
        t = Minimal.task
        t.stdoutRedirectPath = "oss://bkt/logs"
        t.stderrRedirectPath = "oss://bkt/logs/"
        #expect(problems(of: JobSpec(tasks: ["a": t])) == ["spec.tasks.a.stdoutRedirectPath: OSS prefix \"oss://bkt/logs\" must end with \"/\""])
    }

    @Test func taskMappings() {
        var t = Minimal.task
        t.inputMapping = ["s3://b/in/": "in/"]
        #expect(problems(of: JobSpec(tasks: ["a": t])) == [
            "spec.tasks.a.inputMapping[\"s3://b/in/\"]: \"s3://b/in/\" is not an OSS location; expected oss://bucket/path",
            "spec.tasks.a.inputMapping[\"s3://b/in/\"]: destination \"in/\" must be an absolute path (starting with /)",
        ])
        t = Minimal.task
        t.outputMapping = ["out/": "oss://bkt/out/"]
        t.logMapping = ["/var/log/app.log": "oss://bkt/logs"]
        #expect(problems(of: JobSpec(tasks: ["a": t])) == [
            "spec.tasks.a.logMapping[\"/var/log/app.log\"]: OSS prefix \"oss://bkt/logs\" must end with \"/\"",
            "spec.tasks.a.outputMapping[\"out/\"]: local path \"out/\" must be an absolute path (starting with /)",
        ])
        t = Minimal.task
        t.env = ["TOKEN": .secret(SecretSource(env: "A", file: "/f"))]
        t.mounts = Mounts(entries: [MountEntry(source: "oss://bkt/x/", destination: "x/")])
        #expect(problems(of: JobSpec(tasks: ["a": t])) == [
            "spec.tasks.a.env.TOKEN.secretFrom: secretFrom takes exactly one of env or file, not both",
            "spec.tasks.a.mounts.entries[0].destination: destination \"x/\" must be an absolute path (starting with /)",
        ])
    }

    @Test func jobDependencies() {
        var s = JobSpec(tasks: ["split": Minimal.task, "count": Minimal.task])
        s.dependencies = ["split": ["count"]]
        #expect(problems(of: s) == [])
        s.dependencies = ["split": ["cuont"], "merge": ["count"]]
        #expect(problems(of: s) == [
            "spec.dependencies.merge: unknown task \"merge\"",
            "spec.dependencies.split[0]: unknown task \"cuont\"; did you mean \"count\"?",
        ])
        s.dependencies = ["split": ["count"], "count": ["split"]]
        #expect(problems(of: s) == ["spec.dependencies: dependencies form a cycle: count -> split -> count"])
    }

    // MARK: Dependency cycles

    static func job(_ deps: [String: [String]]) -> JobSpec {
        var s = JobSpec(tasks: [:])
        s.dependencies = deps
        return s
    }

    @Test func dependencyCycles() {
        #expect(Self.job([:]).dependencyCycle() == nil)
        #expect(JobSpec(tasks: ["a": Minimal.task]).dependencyCycle() == nil)
        #expect(Self.job(["a": ["b"], "b": ["c"]]).dependencyCycle() == nil)
        #expect(Self.job(["a": ["b", "c"], "b": ["d"], "c": ["d"]]).dependencyCycle() == nil)
        #expect(Self.job(["a": ["b"], "b": ["c"], "c": ["a"]]).dependencyCycle() == ["a", "b", "c", "a"])
        #expect(Self.job(["a": ["a"]]).dependencyCycle() == ["a", "a"])
        #expect(Self.job(["a": ["b"], "c": ["d"], "d": ["c"]]).dependencyCycle() == ["c", "d", "c"])
        // A cycle entered from outside is reported from where it closes.
        #expect(Self.job(["start": ["x"], "x": ["y"], "y": ["x"]]).dependencyCycle() == ["x", "y", "x"])
        // Edges to tasks that do not exist are not cycles.
        #expect(Self.job(["a": ["ghost"]]).dependencyCycle() == nil)
    }

    @Test func dependencyCycleIsDeterministic() {
        let deps = ["t1": ["t2"], "t2": ["t3"], "t3": ["t1"], "t4": ["t1"]]
        let first = Self.job(deps).dependencyCycle()
        for _ in 0..<20 { #expect(Self.job(deps).dependencyCycle() == first) }
        #expect(first == ["t1", "t2", "t3", "t1"])
    }
}

/// Rules added with WorkflowRun ordering and App platforms.
@Suite struct WorkflowOrderAndPlatformTests {
    @Test func dependsOnRejectsDuplicatesAndCycles() {
        var a = WorkflowRunSpec(workflow: "a.wdl", outputsDir: "oss://bkt/o/")
        a.dependsOn = ["b", "b"]
        #expect(problems(of: a) == ["spec.dependsOn[1]: \"b\" is listed twice"])
        a.dependsOn = ["b"]
        var b = WorkflowRunSpec(workflow: "b.wdl", outputsDir: "oss://bkt/o/")
        b.dependsOn = ["a"]
        let findings = ManifestSetValidator.validate([
            Manifest(kind: .WorkflowRun, metadata: Metadata(name: "a"), spec: a),
            Manifest(kind: .WorkflowRun, metadata: Metadata(name: "b"), spec: b),
        ]).map { "\($0.manifestIndex): \($0.diagnostic)" }
        #expect(findings == [
            "0: spec.dependsOn: dependsOn forms a cycle: a -> b -> a",
            "1: spec.dependsOn: dependsOn forms a cycle: b -> a -> b",
        ])
    }

    @Test func windowsVMAppTakesDriveLettersForDisksAndPaths() {
        var app = AppSpec(image: AppImage(vm: VMImage(imageId: "m-wz9du0xaalpag4ylwzs")), commandLine: "render ${scene}")
        app.platform = .Windows
        app.inputs = ["scene": AppParameter(localPath: "G:\\scenes\\")]
        var config = AppConfig()
        config.disks = Disks(dataDisk: Disk(type: .cloud, size: 100, mountPoint: "E:"))
        app.config = config
        #expect(problems(of: app) == [])
        app.platform = nil
        #expect(problems(of: app).count == 2)  // the same paths are wrong on Linux
    }
}

import Testing
@testable import BCModel

/// Rules across manifests: unique names per kind and references that must resolve.
@Suite struct ManifestSetValidatorTests {
    static func m(_ name: String, _ spec: some ResourceSpec) -> Manifest {
        Manifest(kind: type(of: spec).kind, metadata: Metadata(name: name), spec: spec)
    }

    /// Findings as `index: path: message`.
    static func findings(_ manifests: [Manifest]) -> [String] {
        ManifestSetValidator.validate(manifests).map { "\($0.manifestIndex): \($0.diagnostic)" }
    }

    static var job: RenderJobSpec {
        var j = Minimal.renderJob
        j.cluster = "farm"
        return j
    }

    @Test func aConsistentSetHasNoFindings() {
        var run = Minimal.workflowRun
        run.runtime = WorkflowRuntime(cluster: "farm")
        run.runner = WorkflowRunner(instanceType: nil, diskType: nil, cluster: "sge")
        #expect(Self.findings([
            Self.m("farm", Minimal.cluster), Self.m("sge", Minimal.sge), Self.m("blender-demo", Minimal.project),
            Self.m("shot", Self.job), Self.m("run", run), Self.m("j", Minimal.job),
        ]) == [])
    }

    @Test func namesAreUniquePerKindOnly() {
        #expect(Self.findings([Self.m("farm", Minimal.cluster), Self.m("farm", Minimal.cluster)])
                == ["1: metadata.name: Cluster/farm is defined more than once; names are unique per kind"])
        // The same name in two kinds is fine.
        #expect(Self.findings([Self.m("farm", Minimal.cluster), Self.m("farm", Minimal.app)]) == [])
    }

    @Test func clusterReferences() {
        var task = Minimal.task
        task.cluster = "frm"
        #expect(Self.findings([Self.m("farm", Minimal.cluster), Self.m("j", JobSpec(tasks: ["a": task]))])
                == ["1: spec.tasks.a.cluster: Cluster \"frm\" is not defined; did you mean \"farm\"?"])
        // cls- ids name clusters outside the repository and are not checked; SGE clusters count as clusters.
        task.cluster = "cls-abc"
        #expect(Self.findings([Self.m("j", JobSpec(tasks: ["a": task]))]) == [])
        task.cluster = "sge"
        #expect(Self.findings([Self.m("sge", Minimal.sge), Self.m("j", JobSpec(tasks: ["a": task]))]) == [])
    }

    @Test func workflowRunReferences() {
        var run = Minimal.workflowRun
        run.runtime = WorkflowRuntime(cluster: "gatk-farm")
        run.runner = WorkflowRunner(instanceType: nil, diskType: nil, cluster: "engine")
        #expect(Self.findings([Self.m("run", run)]) == [
            "0: spec.runtime.cluster: Cluster \"gatk-farm\" is not defined",
            "0: spec.runner.cluster: Cluster \"engine\" is not defined",
        ])
        // An auto cluster or a cls- id in runtime.cluster is not a reference.
        run.runner = nil
        run.runtime = WorkflowRuntime(cluster: "OnDemand ecs.sn1.medium img-ubuntu")
        #expect(Self.findings([Self.m("run", run)]) == [])
    }

    @Test func renderProjectDefaultsClusterMustExist() {
        var p = Minimal.project
        var d = RenderDefaults()
        d.cluster = "gpu"
        p.defaults = d
        #expect(Self.findings([Self.m("blender-demo", p)]) == ["0: spec.defaults.cluster: Cluster \"gpu\" is not defined"])
    }

    @Test func renderJobAgainstItsProject() {
        #expect(Self.findings([Self.m("shot", Self.job), Self.m("farm", Minimal.cluster)])
                == ["0: spec.project: RenderProject \"blender-demo\" is not defined"])
        var j = Self.job
        j.project = "blender-dmo"
        #expect(Self.findings([Self.m("blender-demo", Minimal.project), Self.m("shot", j), Self.m("farm", Minimal.cluster)])
                == ["1: spec.project: RenderProject \"blender-dmo\" is not defined; did you mean \"blender-demo\"?"])

        j = Self.job
        j.scene = "monkey/cube.ma"
        #expect(Self.findings([Self.m("blender-demo", Minimal.project), Self.m("shot", j), Self.m("farm", Minimal.cluster)])
                == ["1: spec.scene: scene \"monkey/cube.ma\" does not end with the software's scene suffix .blend"])
        j.scene = "monkey/CUBE.BLEND"
        #expect(Self.findings([Self.m("blender-demo", Minimal.project), Self.m("shot", j), Self.m("farm", Minimal.cluster)]) == [])
        j.scene = "oss://other/cube.blend"
        #expect(Self.findings([Self.m("blender-demo", Minimal.project), Self.m("shot", j), Self.m("farm", Minimal.cluster)])
                == ["1: spec.scene: scene \"oss://other/cube.blend\" is not under any of the project's ossMappings (oss://renderbucket/blender/)"])
    }

    @Test func renderJobParametersAndPlacement() {
        var p = Minimal.project
        p.software = RenderSoftware(name: "maya", sceneSuffix: ".ma", command: "Render -cam $CAMERA -x $WIDTH $SCENE",
                                    params: ["CAMERA": RenderParam(), "WIDTH": RenderParam(default: "1920")])
        var j = Self.job
        j.project = "maya"
        j.scene = "s020.ma"
        j.params = ["CAMERA": "shotCam"]
        let cluster = Self.m("farm", Minimal.cluster)
        #expect(Self.findings([Self.m("maya", p), Self.m("shot", j), cluster]) == [])
        j.params = ["WIDHT": "3840"]
        #expect(Self.findings([Self.m("maya", p), Self.m("shot", j), cluster]) == [
            "1: spec.params.WIDHT: parameter \"WIDHT\" is not declared by the project's software; did you mean \"WIDTH\"?",
            "1: spec.params: parameter \"CAMERA\" has no default in the project and must be set",
        ])
        // No cluster anywhere: neither the job nor the project's defaults.
        j.params = ["CAMERA": "shotCam"]
        j.cluster = nil
        #expect(Self.findings([Self.m("maya", p), Self.m("shot", j)])
                == ["1: spec: no cluster: set cluster or autoCluster here or in the project's defaults"])
        var d = RenderDefaults()
        d.autoCluster = AutoClusterSpec(instanceType: "ecs.sn1.medium")
        p.defaults = d
        #expect(Self.findings([Self.m("maya", p), Self.m("shot", j)]) == [])
    }
}

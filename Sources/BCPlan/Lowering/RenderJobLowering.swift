import BCAPI
import BCModel

/// RenderJob → an App job on its project's App: InstanceCount = nodes (or one instance per
/// chunk with framesPerTask), outputs under `<ossOutput><job>/`, logs under the output
/// bucket's `bcops/logs/<job>/`. A run kind: a change renders again.
public enum RenderJobLowering {
    typealias Key = JobDescription.Field
    typealias RunKey = JobDescription.AppRun.CodingKeys
    typealias ConfigKey = JobDescription.AppRun.Config.Field
    typealias LoggingKey = JobDescription.AppRun.Logging.CodingKeys

    struct Lowered {
        var fields: [DesiredField]
        var dependencies: Set<ResourceAddress>
        var fixed: [String: JSONValue]
        /// `frames 1-250 on 4 nodes`, for the plan's sentences.
        var summary: String
    }

    static func lower(_ job: RenderJobSpec, name: String, project p: RenderProjectSpec) -> Lowered {
        typealias Project = RenderProjectLowering
        var r = FieldRecorder(defaultRule: .rerun)
        var dependencies: Set<ResourceAddress> = [ResourceAddress(kind: .RenderProject, name: job.project)]
        let defaults = p.defaults
        let run = Key.app.rawValue, inputs = [run, RunKey.inputs.rawValue], config = [run, RunKey.config.rawValue]
        r.set("description", [Key.description.rawValue], job.description)
        r.set("project", JobLowering.appNamePath, job.project)
        r.set("scene", inputs + [Project.sceneInput], Project.nodeScene(job.scene, in: p))
        r.set("frames", inputs + [Project.framesInput], job.frames)
        let frameCount = (try? FrameSpec(parsing: job.frames))?.count ?? 1
        let nodes: Int
        if let k = job.framesPerTask {
            r.set("framesPerTask", inputs + [Project.chunkInput], String(k))
            nodes = max(1, (frameCount + k - 1) / k)
        } else {
            nodes = job.nodes ?? defaults?.nodes ?? 1
        }
        r.set("nodes", config + [ConfigKey.instanceCount.rawValue], nodes)
        for (param, value) in (job.params ?? [:]).sorted(by: { $0.key < $1.key }) {
            r.set("params.\(param)", inputs + [Project.paramInput(param)], value)
        }
        r.set("retries", config + [ConfigKey.maxRetryCount.rawValue], job.retries ?? defaults?.retries)
        r.set("stopOnNodeFailure", [Key.jobFailOnInstanceFail.rawValue], job.stopOnNodeFailure ?? defaults?.stopOnNodeFailure)
        r.set("priority", [Key.priority.rawValue], job.priority ?? defaults?.priority)
        if let cluster = job.cluster ?? (job.autoCluster == nil ? defaults?.cluster : nil) {
            r.cluster("cluster", config + [ConfigKey.clusterId.rawValue], cluster, dependencies: &dependencies)
        } else if let auto = job.autoCluster ?? defaults?.autoCluster {
            r.set("autoCluster", config + [ConfigKey.autoCluster.rawValue], APIShapes.json(APIShapes.autoCluster(auto)))
        }
        let output = p.ossOutput + (p.ossOutput.hasSuffix("/") ? "" : "/") + name + "/"
        r.set("output", [run, RunKey.outputs.rawValue, Project.outputName], output)
        let logs = logPrefix(ossOutput: p.ossOutput, job: name), logging = [run, RunKey.logging.rawValue]
        r.set("logs", logging + [LoggingKey.stdoutPath.rawValue], logs)
        r.set("logs.stderr", logging + [LoggingKey.stderrPath.rawValue], logs)
        let fixed = Lowering.fixed(Self.fixed, name: name)
        let unit = nodes == 1 ? "node" : "nodes"
        return Lowered(fields: r.fields, dependencies: dependencies, fixed: fixed, summary: "frames \(job.frames) on \(nodes) \(unit)")
    }

    /// What BatchCompute requires of a render's App job: a render stops on a failed node only
    /// when the project or the job says so.
    static let fixed = Lowering.parts(JobDescription(name: "", type: .app, priority: 1, jobFailOnInstanceFail: false, autoRelease: false))

    /// `oss://<bucket of ossOutput>/bcops/logs/<job>/`: beside the frames, not among them.
    /// `bcctl render test` writes its logs there too.
    public static func logPrefix(ossOutput: String, job: String) -> String {
        let bucket = ossOutput.dropFirst("oss://".count).prefix { $0 != "/" }
        return "oss://\(bucket)/bcops/logs/\(job)/"
    }
}

import BCModel

/// RenderJob → an App job on its project's App: InstanceCount = nodes (or one instance per
/// chunk with framesPerTask), outputs under `<ossOutput><job>/`, logs under the output
/// bucket's `bcops/logs/<job>/`. A run kind: a change renders again.
public enum RenderJobLowering {
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
        r.set("description", ["Description"], job.description)
        r.set("project", ["App", "AppName"], job.project)
        r.set("scene", ["App", "Inputs", Project.sceneInput], Project.nodeScene(job.scene, in: p))
        r.set("frames", ["App", "Inputs", Project.framesInput], job.frames)
        let frameCount = (try? FrameSpec(parsing: job.frames))?.count ?? 1
        let nodes: Int
        if let k = job.framesPerTask {
            r.set("framesPerTask", ["App", "Inputs", Project.chunkInput], String(k))
            nodes = max(1, (frameCount + k - 1) / k)
        } else {
            nodes = job.nodes ?? defaults?.nodes ?? 1
        }
        r.set("nodes", ["App", "Config", "InstanceCount"], nodes)
        for (param, value) in (job.params ?? [:]).sorted(by: { $0.key < $1.key }) {
            r.set("params.\(param)", ["App", "Inputs", Project.paramInput(param)], value)
        }
        r.set("retries", ["App", "Config", "MaxRetryCount"], job.retries ?? defaults?.retries)
        r.set("stopOnNodeFailure", ["JobFailOnInstanceFail"], job.stopOnNodeFailure ?? defaults?.stopOnNodeFailure)
        r.set("priority", ["Priority"], job.priority ?? defaults?.priority)
        if let cluster = job.cluster ?? (job.autoCluster == nil ? defaults?.cluster : nil) {
            if let target = APIShapes.clusterReference(cluster) {
                r.reference("cluster", ["App", "Config", "ClusterId"], target)
                dependencies.insert(target)
            } else {
                r.set("cluster", ["App", "Config", "ClusterId"], cluster)
            }
        } else if let auto = job.autoCluster ?? defaults?.autoCluster {
            r.set("autoCluster", ["App", "Config", "AutoCluster"], APIShapes.autoCluster(auto))
        }
        let output = p.ossOutput + (p.ossOutput.hasSuffix("/") ? "" : "/") + name + "/"
        r.set("output", ["App", "Outputs", Project.outputName], output)
        let logs = logPrefix(ossOutput: p.ossOutput, job: name)
        r.set("logs", ["App", "Logging", "StdoutPath"], logs)
        r.set("logs.stderr", ["App", "Logging", "StderrPath"], logs)
        let fixed: [String: JSONValue] = ["Type": .string("App"), "Priority": .integer(1), "JobFailOnInstanceFail": .bool(false),
                                          "AutoRelease": .bool(false)]
        let unit = nodes == 1 ? "node" : "nodes"
        return Lowered(fields: r.fields, dependencies: dependencies, fixed: fixed, summary: "frames \(job.frames) on \(nodes) \(unit)")
    }

    /// `oss://<bucket of ossOutput>/bcops/logs/<job>/`: beside the frames, not among them.
    /// `bcctl render test` writes its logs there too.
    public static func logPrefix(ossOutput: String, job: String) -> String {
        let bucket = ossOutput.dropFirst("oss://".count).prefix { $0 != "/" }
        return "oss://\(bucket)/bcops/logs/\(job)/"
    }
}

import BCModel

/// RenderProject → an App holding the render template, modified in place. Each node runs
/// `bcctl render node`, which takes its share of the frames (framer.py's split, or a chunk)
/// and runs the software's template; the engine puts bcops' own tools on the node's PATH.
enum RenderProjectLowering {
    /// App parameter names: the job's scene, frames and chunk size, and one per OSS mapping.
    static let sceneInput = "scene", framesInput = "frames", chunkInput = "framesPerTask", outputName = "output"
    static func mappingInput(_ i: Int) -> String { "mapping_\(i)" }
    static func paramInput(_ name: String) -> String { "param_\(name)" }

    static func lower(_ p: RenderProjectSpec) -> [DesiredField] {
        var r = FieldRecorder(defaultRule: .inPlace)
        r.set("description", ["Description"], p.description)
        r.set("image", ["VM", "ECSImageId"], p.image)
        r.set("nodeCommandLine", ["CommandLine"], nodeCommandLine(p))
        r.set("software.name", ["EnvVars", "BCOPS_RENDER_SOFTWARE"], p.software.name)
        r.set("software.command", ["EnvVars", "BCOPS_RENDER_COMMAND"], p.software.command)
        let inputs = "InputParameters"
        for (name, what) in [(sceneInput, "Scene file on the node"), (framesInput, "Frames of the whole job"),
                             (chunkInput, "Frames per instance (0: framer.py's split over all instances)")] {
            r.set("inputs.\(name).type", [inputs, name, "Type"], "String")
            r.set("inputs.\(name).description", [inputs, name, "Description"], what)
        }
        r.set("inputs.\(chunkInput).default", [inputs, chunkInput, "Default"], "0")
        for (i, m) in p.ossMappings.enumerated() {
            let name = mappingInput(i), path = "ossMappings[\(i)]"
            r.set("\(path).type", [inputs, name, "Type"], "String")
            r.set("\(path).source", [inputs, name, "Default"], m.source)
            r.set("\(path).destination", [inputs, name, "LocalPath"], m.destination)
        }
        for (name, param) in p.software.effectiveParams.sorted(by: { $0.key < $1.key }) {
            let api = paramInput(name), path = "software.params.\(name)"
            r.set("\(path).type", [inputs, api, "Type"], "String")
            r.set("\(path).default", [inputs, api, "Default"], param.default)
            r.set("\(path).description", [inputs, api, "Description"], param.description)
        }
        r.set("localOutputDir", ["OutputParameters", outputName, "LocalPath"], p.localOutputDir)
        // Jobs write under <ossOutput><job>/; the default is what `bcctl render test` writes under.
        r.set("ossOutput", ["OutputParameters", outputName, "Default"], p.ossOutput)
        r.set("outputs.\(outputName).type", ["OutputParameters", outputName, "Type"], "String")
        return r.fields
    }

    /// What each node runs. Values the engine substitutes sit inside single quotes (validation
    /// keeps quotes out of scenes and parameter values); frames never hold a shell character.
    static func nodeCommandLine(_ p: RenderProjectSpec) -> String {
        var line = "bcctl render node --scene '${\(sceneInput)}' --frames ${\(framesInput)} --frames-per-task ${\(chunkInput)}"
        line += " --output-dir \(shellQuoted(p.localOutputDir))"
        for name in p.software.effectiveParams.keys.sorted() {
            line += " --param '\(name)=${\(paramInput(name))}'"
        }
        return line
    }

    static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The scene as the node sees it: relative to the first mapping's local path, or an
    /// `oss://` path under one of the mappings.
    static func nodeScene(_ scene: String, in p: RenderProjectSpec) -> String {
        func join(_ dir: String, _ rest: Substring) -> String {
            let separator = dir.hasSuffix("/") || dir.hasSuffix("\\") ? "" : "/"
            return dir + separator + rest.drop { $0 == "/" }
        }
        if scene.hasPrefix("oss://"), let m = p.ossMappings.first(where: { scene.hasPrefix($0.source) }) {
            return join(m.destination, scene.dropFirst(m.source.count))
        }
        return join(p.ossMappings.first?.destination ?? "/", Substring(scene))
    }
}

import BCAPI
import BCModel

/// RenderProject → an App holding the render template, modified in place. Each node runs
/// `bcctl render node`, which takes its share of the frames (framer.py's split, or a chunk)
/// and runs the software's template; the engine puts bcops' own tools on the node's PATH.
enum RenderProjectLowering {
    typealias Key = AppDescription.CodingKeys
    typealias ParameterKey = AppDescription.Parameter.CodingKeys
    /// Environment variables of the App the node's `bcctl render node` reads.
    static let softwareVariable = "BCOPS_RENDER_SOFTWARE", commandVariable = "BCOPS_RENDER_COMMAND"
    /// App parameter names: the job's scene, frames and chunk size, and one per OSS mapping.
    static let sceneInput = "scene", framesInput = "frames", chunkInput = "framesPerTask", outputName = "output"
    static func mappingInput(_ i: Int) -> String { "mapping_\(i)" }
    static func paramInput(_ name: String) -> String { "param_\(name)" }

    static func lower(_ p: RenderProjectSpec) -> [DesiredField] {
        var r = FieldRecorder(defaultRule: .inPlace)
        let type = ParameterKey.type.rawValue, description = ParameterKey.description.rawValue
        let defaultValue = ParameterKey.default.rawValue, localPath = ParameterKey.localPath.rawValue
        let string = AppDescription.Parameter.Kind.string.rawValue
        r.set("description", [Key.description.rawValue], p.description)
        r.set("image", [Key.vm.rawValue, AppDescription.VM.CodingKeys.ecsImageId.rawValue], p.image)
        r.set("nodeCommandLine", [Key.commandLine.rawValue], nodeCommandLine(p))
        r.set("software.name", [Key.envVars.rawValue, softwareVariable], p.software.name)
        r.set("software.command", [Key.envVars.rawValue, commandVariable], p.software.command)
        let inputs = Key.inputParameters.rawValue, outputs = Key.outputParameters.rawValue
        for (name, what) in [(sceneInput, "Scene file on the node"), (framesInput, "Frames of the whole job"),
                             (chunkInput, "Frames per instance (0: framer.py's split over all instances)")] {
            r.set("inputs.\(name).type", [inputs, name, type], string)
            r.set("inputs.\(name).description", [inputs, name, description], what)
        }
        r.set("inputs.\(chunkInput).default", [inputs, chunkInput, defaultValue], "0")
        for (i, m) in p.ossMappings.enumerated() {
            let name = mappingInput(i), path = "ossMappings[\(i)]"
            r.set("\(path).type", [inputs, name, type], string)
            r.set("\(path).source", [inputs, name, defaultValue], m.source)
            r.set("\(path).destination", [inputs, name, localPath], m.destination)
        }
        for (name, param) in p.software.effectiveParams.sorted(by: { $0.key < $1.key }) {
            let api = paramInput(name), path = "software.params.\(name)"
            r.set("\(path).type", [inputs, api, type], string)
            r.set("\(path).default", [inputs, api, defaultValue], param.default)
            r.set("\(path).description", [inputs, api, description], param.description)
        }
        r.set("localOutputDir", [outputs, outputName, localPath], p.localOutputDir)
        // Jobs write under <ossOutput><job>/; the default is what `bcctl render test` writes under.
        r.set("ossOutput", [outputs, outputName, defaultValue], p.ossOutput)
        r.set("outputs.\(outputName).type", [outputs, outputName, type], string)
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

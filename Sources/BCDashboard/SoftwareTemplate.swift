import BCAPI
import BCModel

/// A RenderProject's software as its App carries it (RenderProjectLowering): the software's name
/// and command template in the App's environment (`BCOPS_RENDER_SOFTWARE`, `BCOPS_RENDER_COMMAND`),
/// and each declared parameter as an input `param_NAME` with its default and description. What
/// the seed's software configuration page (软件配置) shows, read back from the live App.
struct SoftwareTemplate: Sendable {
    struct Parameter: Sendable {
        var name: String
        var defaultValue: String
        var description: String
    }

    var software: String
    /// The custom command template, or nil for Blender's built-in one.
    var command: String?
    var parameters: [Parameter]

    /// Blender's built-in template as `bcctl render node` builds it (BlenderCommand), written
    /// with the variables it fills in; the bracketed parts appear only when set.
    static let blenderTemplate = "blender -b $SCENE --factory-startup [-E $ENGINE] [--python-exit-code 1 --python $PYTHON] "
        + "-o $OUTPUT_LOCAL_DIR/$OUTPUT_NAME -F $FORMAT -t $CPU -f $FRAMES"

    /// What each built-in variable stands for on a node.
    static let builtIns: [(name: String, meaning: String)] = [
        ("SCENE", "the scene file on the node (the job's scene under the project's first OSS mapping)"),
        ("FRAMES", "this node's frames (the manifest's grammar, 1-3,5)"),
        ("START_FRAME", "this node's first frame"),
        ("END_FRAME", "this node's last frame"),
        ("OUTPUT_LOCAL_DIR", "the project's local output directory, uploaded to its OSS output"),
        ("CPU", "the node's cores"),
    ]

    init(app: AppStatus) {
        let d = JSONValue.object(app.description)
        software = Dashboard.string(d, ["EnvVars", "BCOPS_RENDER_SOFTWARE"])
        let command = Dashboard.string(d, ["EnvVars", "BCOPS_RENDER_COMMAND"])
        self.command = command.isEmpty ? nil : command
        var parameters: [Parameter] = []
        for (key, p) in (app.description["InputParameters"]?.objectValue ?? [:]) where key.hasPrefix("param_") {
            parameters.append(Parameter(name: String(key.dropFirst("param_".count)), defaultValue: p["Default"]?.stringValue ?? "",
                                        description: p["Description"]?.stringValue ?? ""))
        }
        self.parameters = parameters.sorted { $0.name < $1.name }
    }

    /// The command line shown: the custom template, else Blender's.
    var commandLine: String { command ?? Self.blenderTemplate }

    /// The variables the command line uses, in order of first use, each once.
    var variables: [String] {
        var seen: Set<String> = []
        return RenderSoftware.variables(in: commandLine).filter { seen.insert($0).inserted }
    }

    /// What a variable stands for: a built-in's meaning, a parameter's description, or unknown.
    func meaning(of variable: String) -> String {
        if let b = Self.builtIns.first(where: { $0.name == variable }) { return "built-in: " + b.meaning }
        if let p = parameters.first(where: { $0.name == variable }) {
            return "parameter" + (p.description.isEmpty ? "" : ": " + p.description)
        }
        return "not declared"
    }
}

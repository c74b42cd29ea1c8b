import BCModel
import BCRender

/// The renderer's command for one share of frames: the built-in Blender template, or the
/// project's own template run by `/bin/sh -c`.
struct RenderInvocation {
    var argv: [String]
    /// How the log shows it (as the Blender App printed `exec: …`).
    var display: String

    init(software: String, template: String?, scene: String, outputDirectory: String, frames: [Int],
         params: [String: String], cpus: Int) throws {
        if let template, !template.isEmpty {
            var variables = params
            variables["CPU"] = String(cpus)
            variables["START_FRAME"] = String(frames.first!)
            variables["END_FRAME"] = String(frames.last!)
            // Blender reads `-` as "from the end": its templates get ranges written with `..`.
            let blender = software.lowercased() == "blender"
            variables["FRAMES"] = blender ? BlenderCommand.blenderFrames(frames) : FrameSplit.describe(frames)
            variables["OUTPUT_LOCAL_DIR"] = outputDirectory
            variables["SCENE"] = scene
            let line: String
            do { line = try CommandTemplate.render(template, variables: variables) } catch {
                throw RenderNodeError(message: "the command template of software \(software): \(error)")
            }
            argv = ["/bin/sh", "-c", line]
            display = line
        } else {
            guard software.lowercased() == "blender" else {
                throw RenderNodeError(message: "software \(software) has no built-in template; the project must give a command")
            }
            let python = params["PYTHON"] ?? ""
            let engine = params["ENGINE"] ?? ""
            var command = BlenderCommand(scene: scene, outputDirectory: outputDirectory, frames: frames)
            command.outputName = (params["OUTPUT_NAME"] ?? "").isEmpty ? "####" : params["OUTPUT_NAME"]!
            command.format = (params["FORMAT"] ?? "").isEmpty ? "PNG" : params["FORMAT"]!
            command.threads = cpus
            command.engine = engine.isEmpty ? nil : engine
            command.pythonScripts = python.isEmpty ? [] : [python]
            argv = [command.executable] + command.arguments
            display = argv.map(RenderInvocation.shellWord).joined(separator: " ")
        }
    }

    static func shellWord(_ s: String) -> String {
        let safe = !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "_./:=,+@%#-".unicodeScalars.contains(c)
        }
        return safe ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

struct RenderNodeError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

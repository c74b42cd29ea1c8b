import ArgumentParser
import BCModel
import BCRender
import Foundation

/// `bcctl render node`: what each instance of a RenderJob runs (the RenderProject's App
/// command line). It takes this instance's share of the frames — framer.py's split over
/// `BATCH_COMPUTE_DAG_INSTANCE_COUNT` instances, or chunk `BATCH_COMPUTE_DAG_INSTANCE_ID`
/// with `--frames-per-task` — and runs the software's template. The renderer's output passes
/// through; when it fails, its `Error:` line is repeated last on stderr, which the engine puts
/// in the failure's reason.
public struct RenderNodeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Render this instance's share of a job's frames (run by the engine on each node).")

    @Option(help: "The scene file, as the node sees it.") public var scene: String
    @Option(help: "All frames of the job: 1-250, 1,3,5-10 or 1-100x2.") public var frames: String
    @Option(help: "Frames per instance; 0 splits all frames over the instances as framer.py does.") public var framesPerTask = 0
    @Option(help: "Where the renderer writes (uploaded when the instance ends).") public var outputDir: String
    @Option(help: "A template parameter, NAME=VALUE (repeatable).") public var param: [String] = []
    @Option(help: "This instance (default: $BATCH_COMPUTE_DAG_INSTANCE_ID).") public var node: Int?
    @Option(help: "Instances of the job (default: $BATCH_COMPUTE_DAG_INSTANCE_COUNT).") public var nodes: Int?
    @Flag(help: "Print the command line instead of running it.") public var dryRun = false

    public init() {}

    public func run() throws {
        let env = ProcessInfo.processInfo.environment
        let spec: FrameSpec
        do { spec = try FrameSpec(parsing: frames) } catch { throw ValidationError("--frames: \(error.description)") }
        let index = node ?? Int(env["BATCH_COMPUTE_DAG_INSTANCE_ID"] ?? "") ?? 0
        let count = nodes ?? Int(env["BATCH_COMPUTE_DAG_INSTANCE_COUNT"] ?? "") ?? 1
        let share = framesPerTask > 0 ? FrameSplit.chunk(spec, size: framesPerTask, index: index)
                                      : FrameSplit.framerShare(spec, node: index, of: count)
        guard !share.isEmpty else {
            print("Nothing to do, exit")
            return
        }
        let of = framesPerTask > 0 ? "chunk \(index) of \(FrameSplit.chunkCount(spec, size: framesPerTask))" : "node \(index) of \(count)"
        print("bcops render \(of): frames \(FrameSplit.describe(share))")
        let invocation = try RenderInvocation(software: env["BCOPS_RENDER_SOFTWARE"] ?? "blender", template: env["BCOPS_RENDER_COMMAND"],
                                              scene: scene, outputDirectory: outputDir, frames: share, params: try parsedParams(),
                                              cpus: ProcessInfo.processInfo.activeProcessorCount)
        print("exec: \(invocation.display)")
        fflush(nil)
        if dryRun { return }
        // Made here for custom commands that expect it; one that cannot be made is the
        // renderer's to report when it writes there (Blender makes and reports its own).
        try? FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let status = try RendererProcess.run(invocation.argv)
        if status != 0 { throw ExitCode(status) }
    }

    func parsedParams() throws -> [String: String] {
        var out: [String: String] = [:]
        for p in param {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { throw ValidationError("--param \(p): expected NAME=VALUE") }
            out[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        return out
    }
}

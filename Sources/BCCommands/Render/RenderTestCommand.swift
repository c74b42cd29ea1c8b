import ArgumentParser
import BCClient
import BCModel
import BCPlan
import BCRenderClient
import Foundation

/// `bcctl render test PROJECT --scene S --frame N`: the seed's debugging advice (render one
/// frame on one node and read its log before submitting hundreds) as a command. Submits an
/// App job on the project's live App, waits, and prints the command line used and the logs.
public struct RenderTestCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Render one frame of a scene on one node and print the command line and the logs.")

    @Argument(help: "The RenderProject (applied: its App must exist).") public var project: String
    @Option(help: "Scene path, relative to the project's first OSS mapping, or an oss:// path under it.") public var scene: String
    @Option(help: "The frame to render.") public var frame: Int = 1
    @Option(help: "A cluster ID (cls-…) to render on; default: a pool of one node made for the test.") public var cluster: String?
    @Option(help: "A template parameter, NAME=VALUE (repeatable).") public var param: [String] = []
    @Option(help: "Give up after this many seconds.") public var timeout: Int = 600

    public init() {}

    public func run() async throws {
        let err = Terminal(noColorFlag: false, stream: 2)
        let client: BatchComputeClient
        do { client = try EstateOptions().client() } catch { throw fail("\(error)", err) }
        let app: AppStatus
        do { app = try await client.app(project) } catch let e as APIError where e.status == 404 {
            throw fail("RenderProject \(project) has no App on the engine (apply the project first): \(e)", err)
        } catch {
            throw fail("\(error)", err)
        }
        let inputs = app.inputParameters
        let mountPoint = inputs["mapping_0"]?.localPath ?? "/"
        var nodeScene = scene
        if !scene.hasPrefix("/") && !scene.hasPrefix("oss://") {
            nodeScene = mountPoint + (mountPoint.hasSuffix("/") ? "" : "/") + scene
        } else if scene.hasPrefix("oss://") {
            var i = 0
            while let m = inputs["mapping_\(i)"] {
                if let source = m.defaultValue?.stringValue, scene.hasPrefix(source), let local = m.localPath {
                    nodeScene = local + scene.dropFirst(source.count)
                }
                i += 1
            }
        }
        let name = "render-test-\(project)-\(frame)-\(Int(Date().timeIntervalSince1970))"
        let output = (app.outputParameters["output"]?.defaultValue?.stringValue ?? "oss://bcops/render-test/") + "bcops-render-test/\(name)/"
        let logs = RenderJobLowering.logPrefix(ossOutput: output, job: name)
        var jobInputs: [String: JSONValue] = ["scene": .string(nodeScene), "frames": .string(String(frame))]
        for p in param {
            guard let eq = p.firstIndex(of: "=") else { throw ValidationError("--param \(p): expected NAME=VALUE") }
            jobInputs["param_\(p[..<eq])"] = .string(String(p[p.index(after: eq)...]))
        }
        let body = JobDescription(
            name: name, type: .app, priority: 1, jobFailOnInstanceFail: true, autoRelease: false,
            app: .init(appName: project, inputs: jobInputs, outputs: ["output": .string(output)],
                       config: .init(instanceCount: 1, clusterId: cluster), logging: .init(stdoutPath: logs, stderrPath: logs)))
        let id: String
        do { id = try await client.createJob(body).id } catch { throw fail("\(error)", err) }
        print("Submitted \(id) (\(name)): frame \(frame) of \(nodeScene) on one node")
        let started = Date()
        var job: JobStatus?
        while Date().timeIntervalSince(started) < Double(timeout) {
            job = try await client.job(id)
            if job?.state.isEnded == true { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        let stdout = try await RenderJobReader.readLog(client, job: id, node: 0, stream: "stdout")
        let stderr = try await RenderJobReader.readLog(client, job: id, node: 0, stream: "stderr")
        if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("exec: ") }) {
            print("\nCommand line:\n  \(line.dropFirst(6))")
        }
        print("\n--- stdout\n\(stdout)", terminator: stdout.hasSuffix("\n") || stdout.isEmpty ? "" : "\n")
        if !stderr.isEmpty { print("--- stderr\n\(stderr)", terminator: stderr.hasSuffix("\n") ? "" : "\n") }
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        let state = job?.state
        switch state {
        case .finished: print("\nFrame \(frame) rendered in \(seconds) s; output: \(output)")
        case .failed, .stopped: throw fail("the test render \(state!.rawValue.lowercased()): \(job?.message ?? "")", err)
        case .waiting, .running, nil: throw fail("the test render did not finish within \(timeout) s (job \(id) is \(state?.rawValue ?? ""))", err)
        }
    }
}

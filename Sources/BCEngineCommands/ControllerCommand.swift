import ArgumentParser
import BCAPI
import BCClient
import BCCommands
import BCController
import BCEngine
import BCGit
import BCModel
import Foundation
import Logging

/// `bcctl controller`: the long-running half of bcops. Runs the reconcile loop (the default
/// subcommand), or tells a running controller to suspend, resume or reconcile now.
public struct ControllerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Watch a git repository and reconcile the live estate on every push (and check drift on every interval).",
        subcommands: [ControllerRunCommand.self, ControllerSignal.Suspend.self, ControllerSignal.Resume.self, ControllerSignal.Reconcile.self],
        defaultSubcommand: ControllerRunCommand.self)
    public init() {}
}

public struct ControllerRunCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the controller (the default): fetch, plan, apply, serve webhooks, status and metrics.",
        discussion: """
        With --embedded-engine one process hosts the engine and the controller: the single-binary default. \
        Otherwise it reconciles the engine at --endpoint (or $BCOPS_ENDPOINT with $BCOPS_ACCESS_KEY_ID and \
        $BCOPS_ACCESS_KEY_SECRET, or the engine of --data). Prune is off unless --prune; drift is reported on \
        every interval and corrected only with --self-heal.
        """)

    @Option(help: "The repository: a local path, file://, http(s):// or ssh:// URL.") public var repo: String
    @Option(help: "The branch to track.") public var branch = "main"
    @Option(help: "The directory of manifests inside the repository.") public var path = "."
    @Option(help: "How often to fetch and check drift (30s, 1m, 5m).") public var interval: Duration = Duration(seconds: 60)
    @Option(help: "Where /healthz, /readyz, /metrics, /api/status and /hooks/* listen, HOST:PORT.") public var listen = "127.0.0.1:9412"
    @Option(help: "A BatchCompute endpoint to reconcile (default: $BCOPS_ENDPOINT or the engine of --data).") public var endpoint: String?
    @Flag(help: "Host the engine in this process.") public var embeddedEngine = false
    @Option(help: "With --embedded-engine: where the engine listens, HOST:PORT.") public var engineListen = "127.0.0.1:9411"
    @Option(help: "Data directory: the mirror, the journal, the controller's state (and the embedded engine's).") public var data: String?
    @Option(help: "The workspace the repository's manifests own.") public var workspace = "default"
    @Flag(help: "Delete owned objects whose manifests were removed.") public var prune = false
    @Flag(help: "Correct drift (changes made outside bcops) instead of only reporting it.") public var selfHeal = false
    @Flag(help: "Apply a commit only when its plan matches one approved with bcctl plan-approve.") public var requireReviewedPlan = false
    @Option(help: "A file holding the webhook secret (GitHub HMAC key, GitLab token, generic bearer token).") public var webhookSecretFile: String?
    @Option(help: "Git credentials: an SSH private key file, or a file of username=… and password=… lines.") public var gitCredentialsFile: String?
    @Option(help: "Operations in flight at once during an apply.") public var parallelism = 10

    public init() {}

    public func run() async throws {
        let dataDirectory = data ?? Engine.defaultDataDirectory
        let controllerDirectory = dataDirectory + "/controller"
        try FileManager.default.createDirectory(atPath: controllerDirectory, withIntermediateDirectories: true)
        var logger = Logger(label: "bcops.controller")
        logger.logLevel = .info
        let (host, port) = try Self.address(listen, what: "--listen")
        var secret: [UInt8] = []
        if let file = webhookSecretFile {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("--webhook-secret-file: cannot read \(file)") }
            secret = Array(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        }
        var credentials: GitCredentials?
        if let file = gitCredentialsFile {
            do { credentials = try GitCredentials.load(file: file) } catch { throw ValidationError("--git-credentials-file: \(error)") }
        }

        var engineTask: Task<Void, Error>?
        let configuration: ClientConfiguration
        if embeddedEngine {
            let (engineHost, enginePort) = try Self.address(engineListen, what: "--engine-listen")
            let engine = try Engine(dataDirectory: dataDirectory, objectRoot: Engine.defaultObjectRoot(data: dataDirectory))
            let bound = BoundPort()
            var engineLogger = Logger(label: "bcops.engine")
            engineLogger.logLevel = .warning
            engineTask = Task {
                do {
                    try await APIServer.run(engine: engine, host: engineHost, port: enginePort, logger: engineLogger, handleSignals: false) { p in
                        let endpointFile = dataDirectory + "/endpoint"
                        try? "http://\(engineHost):\(p)\n".write(toFile: endpointFile + ".tmp", atomically: false, encoding: .utf8)
                        rename(endpointFile + ".tmp", endpointFile)
                        await bound.set(p)
                    }
                } catch {
                    printError("Error: the embedded engine cannot listen on \(engineHost):\(enginePort): \(error)")
                    Terminal.exitNow(1)
                }
            }
            let p = await bound.wait()
            print("bcops engine listening on http://\(engineHost):\(p) (data: \(dataDirectory))")
            configuration = try ClientConfiguration(endpoint: "http://\(engineHost):\(p)", accessKeyId: engine.credentials.accessKeyId,
                                                    accessKeySecret: engine.credentials.accessKeySecret)
        } else {
            var env = ProcessInfo.processInfo.environment
            env["BCOPS_DATA"] = dataDirectory
            if let endpoint { env["BCOPS_ENDPOINT"] = endpoint }
            configuration = try ClientConfiguration.fromEnvironment(env)
        }
        let client = BatchComputeClient(configuration, maxConnections: max(16, parallelism))
        let settings = ReconcileStep.Settings(workspace: workspace, prune: prune, selfHeal: selfHeal, requireReviewedPlan: requireReviewedPlan,
                                              parallelism: parallelism, journalDirectory: dataDirectory + "/journals")
        let controller = Controller(configuration: .init(repository: repo, branch: branch, path: path, interval: interval.seconds,
                                                         step: settings, dataDirectory: controllerDirectory),
                                    client: client, credentials: credentials)
        let verifier = WebhookVerifier(secret: secret, branch: branch)
        let banner = "\(ControllerStatus.redacted(repo)) branch \(branch) path \(path), every \(interval.seconds) s"
        let serverTask = Task {
            do {
                try await ControllerServer.run(controller: controller, verifier: verifier, host: host, port: port, logger: logger) { p in
                try? "http://\(host):\(p)\n".write(toFile: controllerDirectory + "/address", atomically: true, encoding: .utf8)
                    print("bcops controller listening on http://\(host):\(p): \(banner)")
                    fflush(nil)
                }
            } catch {
                printError("Error: the controller cannot listen on \(host):\(port): \(error)")
                Terminal.exitNow(1)
            }
        }
        // SIGTERM/SIGINT: finish (or leave journaled) the step in flight, then exit, within 10 s.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let stopper = SignalStop(controller: controller)
        stopper.install()
        await controller.run()
        serverTask.cancel()
        engineTask?.cancel()
        Terminal.exitNow(0)
    }

    static func address(_ text: String, what: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("\(what) must be HOST:PORT, got \(text)")
        }
        return (String(text[..<colon]), port)
    }
}

/// The port a server bound, once it is known.
actor BoundPort {
    private var port: Int?
    private var waiters: [CheckedContinuation<Int, Never>] = []
    func set(_ p: Int) {
        port = p
        for w in waiters { w.resume(returning: p) }
        waiters = []
    }
    func wait() async -> Int {
        if let port { return port }
        return await withCheckedContinuation { waiters.append($0) }
    }
}

/// SIGTERM and SIGINT end the loop gracefully; a second signal, or 10 s, ends the process.
final class SignalStop: @unchecked Sendable {
    let controller: Controller
    var sources: [DispatchSourceSignal] = []
    init(controller: Controller) { self.controller = controller }

    func install() {
        for sig in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            var seen = false
            source.setEventHandler { [controller] in
                if seen { Terminal.exitNow(1) }
                seen = true
                print("bcops controller: stopping (finishing the step in flight)")
                fflush(nil)
                DispatchQueue.global().asyncAfter(deadline: .now() + 9.5) { Terminal.exitNow(0) }
                Task { await controller.stop(timeout: 8.5) }
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// `bcctl controller suspend|resume|reconcile`: talk to a running controller.
public enum ControllerSignal {
    struct Target: ParsableArguments {
        @Option(help: "The controller's address (default: from DATA/controller/address, else http://127.0.0.1:9412).")
        var address: String?
        @Option(help: "Data directory of the controller.") var data: String?

        func url(_ path: String) -> String {
            let dir = (data ?? Engine.defaultDataDirectory) + "/controller/address"
            let base = address ?? (try? String(contentsOfFile: dir, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "http://127.0.0.1:9412"
            return (base.hasPrefix("http") ? base : "http://" + base) + path
        }
    }

    static func post(_ target: Target, _ path: String) async throws -> [UInt8] {
        try await ControllerHTTP.send("POST", target.url(path))
    }

    public struct Suspend: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "suspend", abstract: "Stop applying (the loop keeps serving status).")
        @OptionGroup var target: Target
        public init() {}
        public func run() async throws { _ = try await post(target, "/api/suspend"); print("Suspended: the controller applies nothing until resumed.") }
    }

    public struct Resume: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "resume", abstract: "Apply again (and accept a rewritten branch history).")
        @OptionGroup var target: Target
        public init() {}
        public func run() async throws { _ = try await post(target, "/api/resume"); print("Resumed: reconciling now.") }
    }

    public struct Reconcile: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "reconcile", abstract: "Fetch and reconcile now instead of at the next interval.")
        @OptionGroup var target: Target
        public init() {}
        public func run() async throws { _ = try await post(target, "/api/reconcile"); print("Reconciliation requested.") }
    }
}

/// `bcctl status`: the controller's conditions, revisions and recent reconciliations.
public struct StatusCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the controller's status: conditions, revisions, history, drift.")
    @OptionGroup var target: ControllerSignal.Target
    @Flag(name: [.customLong("json", withSingleDash: true), .customLong("json")], help: "Print /api/status's JSON.") var json = false
    @Flag(help: "Follow: print a progress line while a reconciliation runs, until it ends.") var watch = false
    public init() {}

    public func run() async throws {
        var printedProgress = false
        while true {
            let data: [UInt8]
            do { data = try await ControllerHTTP.send("GET", target.url("/api/status")) } catch {
                printError("Error: cannot reach the controller at \(target.url("")): \(error)")
                throw ExitCode(1)
            }
            if json { print(String(decoding: data, as: UTF8.self)); return }
            let status = try JSONValue.parse(data)
            if watch, let progress = status["progress"]?.stringValue {
                print("\r\u{1B}[K… \(progress)", terminator: "")
                fflush(nil)
                printedProgress = true
                try await Task.sleep(nanoseconds: 300_000_000)
                continue
            }
            if printedProgress { print("") }
            print(ControllerStatus.text(status), terminator: "")
            return
        }
    }
}

enum ControllerHTTP {
    static func send(_ method: String, _ url: String) async throws -> [UInt8] {
        let response = try await PlainHTTP.send(method, url)
        guard (200..<300).contains(response.status) else {
            throw ValidationError("HTTP \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return response.body
    }
}


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

        /api/suspend, /api/resume and /api/reconcile need Authorization: Bearer TOKEN. The token is generated \
        on first start into DATA/controller/api-token (mode 0600; its path is printed, never the token), or read \
        from --api-token-file; `bcctl controller suspend|resume|reconcile` and `bcctl status` read it from the \
        same place. --listen and --engine-listen stay on loopback unless --allow-remote.
        """)

    @Option(help: "The repository: a local path, file://, http(s):// or ssh:// URL.") public var repo: String
    @Option(help: "The branch to track.") public var branch = "main"
    @Option(help: "The directory of manifests inside the repository.") public var path = "."
    @Option(help: "How often to fetch and check drift (30s, 1m, 5m).") public var interval: Duration = Duration(seconds: 60)
    @Option(help: "Where /healthz, /readyz, /metrics, /api/* and /hooks/* listen, HOST:PORT (loopback unless --allow-remote).") public var listen = "127.0.0.1:9412"
    @Option(name: .customLong("ui-listen"),
            help: "Also serve the web dashboard at /ui/ on this address, HOST:PORT, with its Sync page (off by default; loopback unless --allow-remote; reads are open, actions need the API token).")
    public var uiListen: String?
    @Option(help: "A BatchCompute endpoint to reconcile (default: $BCOPS_ENDPOINT or the engine of --data).") public var endpoint: String?
    @Option(help: ArgumentHelp("For an https:// --endpoint: the CA certificates its certificate must chain to, instead of the system store (default: $BCOPS_CA_FILE).",
                               valueName: "pem-file")) public var caFile: String?
    @Flag(help: "Host the engine in this process.") public var embeddedEngine = false
    @Option(help: "With --embedded-engine: where the engine listens, HOST:PORT (loopback unless --allow-remote).") public var engineListen = "127.0.0.1:9411"
    @Flag(help: "Allow --listen and --engine-listen on an address other than loopback (then /api/status and /metrics need the API token too).")
    public var allowRemote = false
    @Option(help: "A file holding the bearer token of /api/* (default: DATA/controller/api-token, generated on first start).")
    public var apiTokenFile: String?
    @Option(help: "Webhook-triggered fetches start at most once per this interval; deliveries in between coalesce (1s, 0.5s).")
    public var webhookMinInterval: Duration = Duration(seconds: 1)
    @Option(help: "Data directory: the mirror, the journal, the controller's state (and the embedded engine's).") public var data: String?
    @Option(help: "The workspace the repository's manifests own.") public var workspace = "default"
    @Flag(help: "Delete owned objects whose manifests were removed.") public var prune = false
    @Flag(help: "Correct drift (changes made outside bcops) instead of only reporting it.") public var selfHeal = false
    @Flag(help: "Apply a commit only when its plan matches one approved with bcctl plan-approve.") public var requireReviewedPlan = false
    @Option(help: "A file holding the webhook secret (GitHub HMAC key, GitLab token, generic bearer token).") public var webhookSecretFile: String?
    @Option(help: "Git credentials: an SSH private key file, or a file of username=… and password=… lines.") public var gitCredentialsFile: String?
    @Option(help: "Operations in flight at once during an apply.") public var parallelism = 10
    @Option(help: "The event log on standard output: one line per reconcile, apply, stall and webhook, as logfmt or json.")
    public var logFormat: EventLog.Format = .logfmt

    public init() {}

    public func run() async throws {
        let (host, port) = try ListenAddress.parse(listen, flag: "--listen")
        try ListenAddress.requireLoopback(host, flag: "--listen", server: "the controller", allowRemote: allowRemote)
        var engineAddress: (host: String, port: Int)?
        if embeddedEngine {
            engineAddress = try ListenAddress.parse(engineListen, flag: "--engine-listen")
            try ListenAddress.requireLoopback(engineAddress!.host, flag: "--engine-listen", server: "the embedded engine", allowRemote: allowRemote)
        }
        var uiAddress: (host: String, port: Int)?
        if let uiListen {
            uiAddress = try ListenAddress.parse(uiListen, flag: "--ui-listen")
            try ListenAddress.requireLoopback(uiAddress!.host, flag: "--ui-listen", server: "the dashboard", allowRemote: allowRemote)
        }
        guard webhookMinInterval.seconds >= 0 else { throw ValidationError("--webhook-min-interval must not be negative") }
        let dataDirectory = data ?? Engine.defaultDataDirectory
        // One engine per data directory: refuse (naming the engine there) before writing into it.
        let served = embeddedEngine ? try ServedDirectory.take(dataDirectory) : nil
        let controllerDirectory = dataDirectory + "/controller"
        try FileManager.default.createDirectory(atPath: controllerDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // The mirror, the state and the API token: private to the controller's user.
        chmod(controllerDirectory, 0o700)
        var logger = Logger(label: "bcops.controller")
        logger.logLevel = .info
        let token: String
        if let file = apiTokenFile {
            do { token = try APIToken.load(file: file) } catch { throw ValidationError("--api-token-file: \(error)") }
            if APIToken.isWorldReadable(file) { printError("Warning: the API token file \(file) is readable by every user of this host: chmod o-r it") }
            print("controller API token from \(file)")
        } else {
            let made: (token: String, path: String, created: Bool)
            do { made = try APIToken.loadOrCreate(directory: controllerDirectory) } catch { throw ValidationError("\(error)") }
            token = made.token
            print(made.created ? "created the controller API token in \(made.path) (mode 0600)" : "controller API token from \(made.path)")
        }
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
        var configuration: ClientConfiguration
        if let (engineHost, enginePort) = engineAddress, let directory = served {
            let engine = try Engine(dataDirectory: dataDirectory, objectRoot: Engine.defaultObjectRoot(data: dataDirectory))
            let bound = BoundPort()
            var engineLogger = Logger(label: "bcops.engine")
            engineLogger.logLevel = .warning
            engineTask = Task {
                do {
                    try await APIServer.run(engine: engine, host: engineHost, port: enginePort, logger: engineLogger, handleSignals: false) { p in
                        directory.listening(at: "http://\(engineHost):\(p)")
                        await bound.set(p)
                    }
                } catch {
                    printError("Error: " + (directory.address == nil
                        ? "the embedded engine: " + ListenFailure.message(error, host: engineHost, port: enginePort, flag: "--engine-listen")
                        : "the embedded engine stopped: \(error)"))
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
            if let caFile { env["BCOPS_CA_FILE"] = caFile }
            configuration = try ClientConfiguration.fromEnvironment(env)
            if endpoint != nil { configuration.endpointSource = .flag("--endpoint") }
        }
        let client = BatchComputeClient(configuration, maxConnections: max(16, parallelism))
        let settings = ReconcileStep.Settings(workspace: workspace, prune: prune, selfHeal: selfHeal, requireReviewedPlan: requireReviewedPlan,
                                              parallelism: parallelism, journalDirectory: dataDirectory + "/journals")
        let controller = Controller(configuration: .init(repository: repo, branch: branch, path: path, interval: interval.seconds,
                                                         step: settings, dataDirectory: controllerDirectory,
                                                         webhookMinInterval: webhookMinInterval.seconds, log: EventLog(format: logFormat)),
                                    client: client, credentials: credentials)
        let verifier = WebhookVerifier(secret: secret, branch: branch)
        let apiGuard = APIGuard(token: token, listenHost: host, remote: !ListenAddress.isLoopback(host))
        let dashboardTask = uiAddress.map { ui in
            ControllerDashboard.start(controller: controller, client: client, apiToken: token, host: ui.host, port: ui.port, logger: logger)
        }
        let banner = "\(ControllerStatus.redacted(repo)) branch \(branch) path \(path), every \(interval.seconds) s"
        let serverTask = Task {
            do {
                try await ControllerServer.run(controller: controller, verifier: verifier, guard: apiGuard, host: host, port: port, logger: logger) { p in
                    do {
                        try "http://\(host):\(p)\n".write(toFile: controllerDirectory + "/address", atomically: true, encoding: .utf8)
                    } catch {
                        // It still serves; only `bcctl status` and `bcctl controller …` lose their way to it.
                        printError("Warning: cannot write \(controllerDirectory)/address (\(error.localizedDescription)): "
                                   + "bcctl status and bcctl controller need --address http://\(host):\(p)")
                    }
                    print("bcops controller listening on http://\(host):\(p): \(banner)")
                    fflush(nil)
                }
            } catch {
                printError("Error: the controller: " + ListenFailure.message(error, host: host, port: port, flag: "--listen"))
                served?.stopped()
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
        dashboardTask?.cancel()
        engineTask?.cancel()
        served?.stopped()
        Terminal.exitNow(0)
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
        @Option(help: "The file holding the controller's API token (default: DATA/controller/api-token).")
        var apiTokenFile: String?

        func url(_ path: String) -> String {
            let dir = (data ?? Engine.defaultDataDirectory) + "/controller/address"
            let base = address ?? (try? String(contentsOfFile: dir, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "http://127.0.0.1:9412"
            return (base.hasPrefix("http") ? base : "http://" + base) + path
        }

        /// Where the token is looked for: --api-token-file, else the one the controller generated.
        var tokenFile: String { apiTokenFile ?? (data ?? Engine.defaultDataDirectory) + "/controller/" + APIToken.fileName }

        /// The API token, if it can be read (an unreadable --api-token-file is an error).
        func token() throws -> String? {
            do { return try APIToken.load(file: tokenFile) } catch {
                if apiTokenFile != nil { throw ValidationError("--api-token-file: \(error)") }
                return nil
            }
        }

        /// The request to `path`, with the token when there is one (never printed).
        func send(_ method: String, _ path: String) async throws -> [UInt8] {
            let token = try token()
            do {
                return try await ControllerHTTP.send(method, url(path), headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [])
            } catch let error as TransportError {
                throw unreachable(error)
            } catch var error as ControllerHTTP.Refused where error.status == 401 && token == nil {
                error.hint = "no API token: \(tokenFile) cannot be read; run as the controller's user, or give --api-token-file"
                throw error
            }
        }
    }

    static func post(_ target: Target, _ path: String) async throws -> [UInt8] {
        try await target.send("POST", path)
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
            do { data = try await target.send("GET", "/api/status") } catch let error as ControllerHTTP.Refused {
                printError("Error: the controller at \(target.url("")) answered \(error)")
                throw ExitCode(1)
            } catch let error as ValidationError {
                throw error
            } catch {
                printError("Error: " + (error is ControllerUnreachable ? "\(error)" : "cannot reach the controller at \(target.url("")): \(error)"))
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
    struct Refused: Error, CustomStringConvertible {
        var status: Int
        var body: String
        var hint: String?
        var description: String { "HTTP \(status): \(body)" + (hint.map { " (\($0))" } ?? "") }
    }

    static func send(_ method: String, _ url: String, headers: [(String, String)] = []) async throws -> [UInt8] {
        let response = try await PlainHTTP.send(method, url, headers: headers)
        guard (200..<300).contains(response.status) else {
            throw Refused(status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
        return response.body
    }
}

extension EventLog.Format: ExpressibleByArgument {}

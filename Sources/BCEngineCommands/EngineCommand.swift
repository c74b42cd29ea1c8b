import ArgumentParser
import BCAPI
import BCClient
import BCCommands
import BCDashboard
import BCEngine
import Foundation
import Logging

/// `bcctl engine …`: run the embedded BatchCompute-compatible engine and read its credentials.
public struct EngineCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Run the embedded BatchCompute-compatible engine.",
        subcommands: [EngineServeCommand.self, EngineCredentialsCommand.self])
    public init() {}
}

public struct EngineServeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the BatchCompute REST API (2015-11-11) from a data directory.",
        discussion: """
        On first start an access key pair is created in DIR/credentials.json (mode 0600); its path is \
        printed, never the secret. Clients (the batchcompute SDK, bcs, bcplan) find the endpoint and keys in \
        BCOPS_ENDPOINT, BCOPS_ACCESS_KEY_ID and BCOPS_ACCESS_KEY_SECRET, or in that file.
        """)

    @Option(name: .long, help: "Data directory (default: $BCOPS_DATA or ~/.local/share/bcops).")
    public var data: String?

    @Option(name: .long, help: "Address to listen on, HOST:PORT.")
    public var listen = "127.0.0.1:9411"

    @Option(name: .customLong("ui-listen"),
            help: "Also serve the web dashboard at /ui/ on this address, HOST:PORT (off by default; loopback unless --allow-remote; reads are open, stop and retry need a login).")
    public var uiListen: String?

    @Option(name: .customLong("cromwell-listen"),
            help: "Also serve Cromwell's REST API (/api/workflows/v1) on this address, HOST:PORT (off by default; off loopback only with --cromwell-token-file).")
    public var cromwellListen: String?

    @Option(name: .customLong("cromwell-token-file"), help: "A file holding the bearer token every Cromwell API request must carry.")
    public var cromwellTokenFile: String?

    @Option(name: .customLong("cromwell-root"), help: "Cromwell's root: workflows go under ROOT<workflow>/<bcs_workflow_tag>/<id>/.")
    public var cromwellRoot = "oss://cromwell/cromwell-dir/"

    @Option(name: .customLong("cromwell-max-concurrent-workflows"),
            help: "Workflows of the Cromwell API running at once (Cromwell's system.max-concurrent-workflows); more wait as Submitted.")
    public var cromwellMaxConcurrentWorkflows = 5000

    @Option(name: .customLong("oss-root"), help: "Where oss://bucket/key objects live (default: $BCOPS_OSS_ROOT or DATA/oss).")
    public var ossRoot: String?

    @Flag(name: .long, help: "Allow listening on an address other than loopback.")
    public var allowRemote = false

    @Option(name: .customLong("drain-timeout"),
            help: "On SIGTERM, how long to wait for running instances before handing them over to the next engine (e.g. 0s, 30s, 5m).")
    public var drainTimeout: BCCommands.Duration = .init(seconds: 0)

    @Option(name: .customLong("max-instances-per-job"), help: "The most instances one job may have, over all its tasks (BatchCompute's quota).")
    public var maxInstancesPerJob = EngineLimits.defaultMaxInstancesPerJob

    @Option(name: .customLong("idle-timeout"), help: "Close a connection idle this long (e.g. 30s, 2m).")
    public var idleTimeout: BCCommands.Duration = .init(seconds: Double(EngineLimits.defaultIdleTimeoutSeconds))

    @Option(name: .customLong("max-connections"), help: "Connections open at once; more wait to be accepted.")
    public var maxConnections = EngineLimits.defaultMaxConnections

    @Option(name: .customLong("stop-grace"),
            help: "How long a stopped or timed-out instance has between SIGTERM and SIGKILL (e.g. 0s, 10s, 1m).")
    public var stopGrace: BCCommands.Duration = .init(seconds: Double(EngineLimits.defaultStopGrace.components.seconds))

    @Option(name: .customLong("load-interval"),
            help: "How often the CPU and memory of each running local instance's process tree is sampled (e.g. 1s, 30s); the last 20 samples are kept.")
    public var loadInterval: BCCommands.Duration = .init(seconds: Double(EngineLimits.defaultLoadInterval.components.seconds))

    @Option(name: .long, help: "Where instances run: local (processes on this host), gridengine (qsub -t arrays) or slurm (sbatch --array).")
    public var executor: ExecutorKind = .local

    @Flag(name: .customLong("sge-clusters"),
          help: "Realise SGE clusters on this machine's Grid Engine: worker groups as host groups and queues, nodes as execution hosts in namespaces of their own (root).")
    public var sgeClusters = false

    @Option(name: .customLong("grid-queue"), help: "With --executor gridengine: the queue arrays are submitted to (default: Grid Engine's).")
    public var gridQueue: String?

    @Option(name: .customLong("slurm-partition"), help: "With --executor slurm: the partition arrays are submitted to (default: Slurm's).")
    public var slurmPartition: String?

    public enum ExecutorKind: String, ExpressibleByArgument, CaseIterable, Sendable {
        case local, gridengine, slurm
    }

    public init() {}

    public func validate() throws {
        if gridQueue != nil && executor != .gridengine { throw ValidationError("--grid-queue needs --executor gridengine") }
        if slurmPartition != nil && executor != .slurm { throw ValidationError("--slurm-partition needs --executor slurm") }
        // Refused at start rather than as every instance's failure: without its client the
        // executor can submit nothing.
        let clients: [String] = executor == .gridengine ? ["qsub", "qstat", "qdel"] : executor == .slurm ? ["sbatch", "scontrol", "scancel"] : []
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for client in clients where !path.contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(client)") }) {
            throw ValidationError("--executor \(executor.rawValue) needs \(client) on PATH: this host must be a submit host of the "
                                  + (executor == .gridengine ? "Grid Engine (scripts/gridengine.sh up sets one up here)" : "Slurm cluster (scripts/slurm.sh up sets one up here)"))
        }
        // The SGE clusters' tasks run through qsub into their queues, whatever --executor says.
        for client in sgeClusters ? ["qconf", "qsub", "qstat", "qdel"] : [] where !path.contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(client)") }) {
            throw ValidationError("--sge-clusters needs \(client) on PATH: this host must be the Grid Engine's qmaster and a submit host (scripts/gridengine.sh up sets one up here)")
        }
    }

    public func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen must be HOST:PORT, got \(listen)")
        }
        let host = String(listen[..<colon])
        let loopback = ListenAddress.isLoopback(host)
        if !loopback && !allowRemote {
            throw ValidationError("refusing to listen on \(host): the engine listens on loopback unless --allow-remote is given")
        }
        var ui: (host: String, port: Int)?
        if let uiListen {
            guard let c = uiListen.lastIndex(of: ":"), let p = Int(uiListen[uiListen.index(after: c)...]), (0...65535).contains(p) else {
                throw ValidationError("--ui-listen must be HOST:PORT, got \(uiListen)")
            }
            let h = String(uiListen[..<c])
            if !ListenAddress.isLoopback(h) && !allowRemote {
                throw ValidationError("refusing to listen on \(h): the dashboard listens on loopback unless --allow-remote is given")
            }
            ui = (h, p)
        }
        let cromwell: CromwellOptions?
        do {
            cromwell = try CromwellOptions.parse(listen: cromwellListen, tokenFile: cromwellTokenFile, root: cromwellRoot,
                                                 maxConcurrent: cromwellMaxConcurrentWorkflows)
        } catch { throw ValidationError("\(error)") }
        let dir = data ?? Engine.defaultDataDirectory
        // One engine per data directory: a second one refuses, naming the first.
        let served = try ServedDirectory.take(dir)
        let created = !FileManager.default.fileExists(atPath: dir + "/" + Credentials.fileName)
        let engine = try Engine(dataDirectory: dir, objectRoot: ossRoot ?? Engine.defaultObjectRoot(data: dir))
        var logger = Logger(label: "bcops.engine")
        logger.logLevel = .info
        let credentialsPath = dir + "/" + Credentials.fileName
        print(created ? "created access key \(engine.credentials.accessKeyId) in \(credentialsPath) (mode 0600)"
                      : "access key \(engine.credentials.accessKeyId) from \(credentialsPath)")
        let dashboard = FrontEndTask(name: "dashboard")
        defer { dashboard.cancel() }
        let cromwellTask = FrontEndTask(name: "cromwell API")
        defer { cromwellTask.cancel() }
        do {
            try await APIServer.run(engine: engine, host: host, port: port, logger: logger,
                                    drain: .milliseconds(Int64(drainTimeout.seconds * 1000)),
                                    limits: EngineLimits(maxInstancesPerJob: maxInstancesPerJob, idleTimeoutSeconds: max(1, Int(idleTimeout.seconds)),
                                                         maxConnections: max(1, maxConnections),
                                                         stopGrace: .milliseconds(Int64(max(0, stopGrace.seconds) * 1000)),
                                                         loadInterval: .milliseconds(Int64(max(0.1, loadInterval.seconds) * 1000))),
                                    executor: executorChoice, sgeClusters: sgeClusters) { [ui, cromwell, logger] bound in
                // Clients on this machine (bcplan, bcapply) find the engine through DIR/endpoint.
                served.listening(at: "http://\(host == "localhost" ? "127.0.0.1" : host):\(bound)")
                print("bcops engine listening on http://\(host):\(bound) (data: \(dir), objects: \(engine.objects.root))")
                fflush(nil)
                if let ui {
                    // The dashboard reads the engine through the API, signed with the engine's own key.
                    let apiHost: String = switch host {
                    case "localhost", "0.0.0.0", "": "127.0.0.1"
                    case "::", "[::]": "[::1]"
                    default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
                    }
                    let credentials = engine.credentials
                    dashboard.start(endpoint: "http://\(apiHost):\(bound)", credentials: credentials, address: "\(ui.host):\(ui.port)") { client in
                        let auth = DashboardAuth(accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret)
                        try await Dashboard.run(client: client, auth: auth, host: ui.host, port: ui.port, logger: logger) { bound in
                            print("bcops dashboard listening on http://\(ui.host):\(bound)/ui/ (actions need a login)")
                            fflush(nil)
                        }
                    }
                }
                if let cromwell {
                    let apiHost = host == "localhost" || host == "0.0.0.0" || host.isEmpty ? "127.0.0.1" : host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
                    cromwellTask.start(endpoint: "http://\(apiHost):\(bound)", credentials: engine.credentials,
                                       address: "\(cromwell.host):\(cromwell.port)") { client in
                        try await CromwellFrontEnd.serve(client: client, options: cromwell, logger: logger)
                    }
                }
            }
        } catch where served.address == nil {
            printError("Error: " + ListenFailure.message(error, host: host, port: port, flag: "--listen"))
            throw ExitCode(1)
        }
        served.stopped()
    }
}

/// The dashboard's listener, a second Hummingbird application in the engine's process.
extension EngineServeCommand {
    var executorChoice: ExecutorChoice {
        switch executor {
        case .local: return .local
        case .gridengine: return .gridengine(queue: gridQueue)
        case .slurm: return .slurm(partition: slurmPartition)
        }
    }
}

public struct EngineCredentialsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "Print the engine's endpoint and access key pair, for scripts.",
        discussion: "Prints shell exports (BCOPS_ENDPOINT, BCOPS_ACCESS_KEY_ID, BCOPS_ACCESS_KEY_SECRET), or JSON with -json.")

    @Option(name: .long, help: "Data directory (default: $BCOPS_DATA or ~/.local/share/bcops).")
    public var data: String?

    @Option(name: .long, help: "The endpoint the engine listens on (default: the one it wrote to DATA/endpoint, else http://127.0.0.1:9411).")
    public var endpoint: String?

    @Flag(name: [.customLong("json", withSingleDash: true), .customLong("json")], help: "Print JSON.")
    public var json = false

    public init() {}

    public func run() throws {
        let dir = data ?? Engine.defaultDataDirectory
        let c = try Credentials.load(from: dir + "/" + Credentials.fileName)
        let written = (try? String(contentsOfFile: dir + "/endpoint", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let endpoint = self.endpoint ?? written.flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:9411"
        if self.endpoint == nil && (written ?? "").isEmpty {
            printError("Warning: no engine has written \(dir)/endpoint (none serves \(dir) now): the endpoint printed is the default, "
                       + "\(endpoint); give --endpoint URL for an engine that listens elsewhere")
        }
        if json {
            print("{\"Endpoint\": \"\(endpoint)\", \"AccessKeyId\": \"\(c.accessKeyId)\", \"AccessKeySecret\": \"\(c.accessKeySecret)\"}")
        } else {
            print("export BCOPS_ENDPOINT=\(endpoint)")
            print("export BCOPS_ACCESS_KEY_ID=\(c.accessKeyId)")
            print("export BCOPS_ACCESS_KEY_SECRET=\(c.accessKeySecret)")
        }
    }
}

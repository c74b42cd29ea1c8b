import ArgumentParser
import BCAPI
import BCClient
import BCCommands
import BCEngine
import Foundation

/// `bcctl oss ls|cp|cat`: an engine's object store, where instance logs and outputs land.
///
/// Through the engine's OSS API (OSS V1 signature, path style), reached the way bcplan and
/// bcapply reach it: `BCOPS_ENDPOINT` and the keys in the environment, or else the data
/// directory's `endpoint` and `credentials.json`. With `--local`, the store's directory on this
/// host is read and written directly instead, whichever engine serves it.
public struct OSSCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "oss",
        abstract: "List, copy and print objects of the engine's object store (oss://bucket/key), through its OSS API.",
        discussion: """
            The engine is found as bcplan finds it: BCOPS_ENDPOINT, BCOPS_ACCESS_KEY_ID and BCOPS_ACCESS_KEY_SECRET, \
            or else the endpoint and credentials.json the engine wrote to its data directory (--data, $BCOPS_DATA or \
            ~/.local/share/bcops). --local reads and writes the store's directory on this host instead.
            """,
        subcommands: [List.self, Copy.self, Cat.self])
    public init() {}

    struct StoreOptions: ParsableArguments {
        @Flag(name: .long, help: "Read and write the object store's directory on this host (DATA/oss, or --oss-root) instead of an engine's OSS API.")
        var local = false

        @Option(name: .long, help: """
            Engine data directory (default: $BCOPS_DATA or ~/.local/share/bcops): where the engine's endpoint and \
            credentials.json are read when BCOPS_ENDPOINT and the keys are not set; with --local, the store is DATA/oss.
            """)
        var data: String?

        @Option(name: .customLong("oss-root"), help: "With --local: the object store root, if the engine was started with one (default: $BCOPS_OSS_ROOT or DATA/oss).")
        var ossRoot: String?

        func validate() throws {
            if ossRoot != nil && !local { throw ValidationError("--oss-root locates the local store: use it with --local") }
        }

        /// The store the command works on: the engine's OSS API, or with `--local` the directory.
        func objects() throws -> OSSObjects {
            if local { return .local(ObjectStore(root: ossRoot ?? Engine.defaultObjectRoot(data: data ?? Engine.defaultDataDirectory))) }
            var env = ProcessInfo.processInfo.environment
            if let data { env["BCOPS_DATA"] = data }
            let configuration: ClientConfiguration
            do { configuration = try ClientConfiguration.fromEnvironment(env) } catch { throw OSSCommand.fail("\(error)") }
            let directory = env["BCOPS_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? Engine.defaultDataDirectory
            let source = env["BCOPS_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } != nil ? "BCOPS_ENDPOINT"
                : FileManager.default.fileExists(atPath: directory + "/endpoint") ? directory + "/endpoint" : "the default endpoint"
            return .remote(OSSClient(BatchComputeClient(configuration, maxConnections: 4)), configuration, endpointSource: source)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls", abstract: "List one level under an oss:// prefix (folders as oss://bucket/dir/), or with -r every object under it.")
        @OptionGroup var options: StoreOptions
        @Flag(name: [.customShort("r"), .long], help: "Every object under the prefix, at any depth.") var recursive = false
        @Argument(help: "An oss://bucket/prefix/.") var prefix: String

        func validate() throws {
            guard prefix.hasPrefix("oss://") else { throw ValidationError("\(prefix) is not an oss://bucket/prefix/ URL") }
        }

        func run() async throws {
            let objects = try options.objects()
            let (folders, keys) = try await objects.attempt(prefix) { try await $0.list(prefix, recursive: recursive) }
            // As `bcs o ls`: folders first, and a "folder/" object is not listed inside itself.
            for url in folders { print(url) }
            for url in keys where !(url.hasSuffix("/") && url == prefix) { print(url) }
        }
    }

    struct Cat: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cat", abstract: "Print an object.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "An oss://bucket/key.") var url: String

        func validate() throws {
            guard url.hasPrefix("oss://") else { throw ValidationError("\(url) is not an oss://bucket/key URL") }
        }

        func run() async throws {
            let objects = try options.objects()
            let data = try await objects.attempt(url) { try await $0.get(url) }
            FileHandle.standardOutput.write(data)
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cp", abstract: "Copy a file into the store, an object out of it, or an object within it.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "A local file or an oss://bucket/key.") var source: String
        @Argument(help: "A local path or an oss:// URL; a trailing / (or an existing local directory) keeps the source's name.") var destination: String

        func run() async throws {
            let fromOSS = source.hasPrefix("oss://"), toOSS = destination.hasPrefix("oss://")
            guard fromOSS || toOSS else { throw ValidationError("one side must be an oss:// URL") }
            let name: String
            if fromOSS {
                guard let last = OSSCommand.key(of: source).split(separator: "/", omittingEmptySubsequences: false).last, !last.isEmpty else {
                    throw ValidationError("\(source) is a prefix, not an object: cp copies one object (list it with bcctl oss ls -r)")
                }
                name = String(last)
            } else {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else { throw OSSCommand.fail("\(source): no such file") }
                guard !isDirectory.boolValue else { throw OSSCommand.fail("\(source) is a directory: cp copies one file") }
                name = (source as NSString).lastPathComponent
            }
            let target: String
            if toOSS {
                target = destination.hasSuffix("/") || OSSCommand.key(of: destination).isEmpty
                    ? destination + (destination.hasSuffix("/") ? "" : "/") + name : destination
            } else {
                var isDirectory: ObjCBool = false
                let existingDirectory = FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory) && isDirectory.boolValue
                target = destination.hasSuffix("/") || existingDirectory ? (destination as NSString).appendingPathComponent(name) : destination
            }
            let objects = try options.objects()
            switch (fromOSS, toOSS) {
            case (false, _):
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: source)) } catch { throw OSSCommand.fail("\(source): cannot read: \(error.localizedDescription)") }
                try await objects.attempt(target) { try await $0.put(data, at: target) }
            case (true, false):
                let data = try await objects.attempt(source) { try await $0.get(source) }
                do { try data.write(to: URL(fileURLWithPath: target)) } catch { throw OSSCommand.fail("\(target): cannot write: \(error.localizedDescription)") }
            case (true, true):
                try await objects.attempt(source) { try await $0.copy(source, to: target) }
            }
            print("\(source) -> \(target)")
        }
    }

    /// The key part of `oss://bucket/key` ("" for `oss://bucket` or `oss://bucket/`).
    static func key(of url: String) -> String {
        let rest = url.dropFirst(6)
        let bucket = rest.prefix { $0 != "/" }
        return String(rest.dropFirst(bucket.count + 1))
    }

    /// Prints `Error: message` as the other commands do; the command exits 1.
    static func fail(_ message: String) -> ExitCode {
        printError(Terminal(noColorFlag: false, stream: 2).red("Error: ") + message)
        return ExitCode(1)
    }
}

/// Where `bcctl oss` reads and writes: an engine's OSS API, or the store's directory on this host.
enum OSSObjects {
    /// `endpointSource`: where the endpoint came from (BCOPS_ENDPOINT, DIR/endpoint or the default).
    case remote(OSSClient, ClientConfiguration, endpointSource: String)
    case local(ObjectStore)

    /// Folders (one level only) and objects under `url`, as `oss://` URLs.
    func list(_ url: String, recursive: Bool) async throws -> (folders: [String], objects: [String]) {
        switch self {
        case .remote(let oss, _, _):
            if recursive { return ([], try await oss.list(url)) }
            let level = try await oss.listLevel(url)
            return (level.prefixes, level.objects)
        case .local(let store):
            let bucket = String(url.dropFirst(6).prefix { $0 != "/" })
            let prefix = OSSCommand.key(of: url)
            guard FileManager.default.fileExists(atPath: try store.path(of: "oss://\(bucket)/")) else {
                throw APIError(404, "NoSuchBucket", "The specified bucket does not exist.")
            }
            var folders: [String] = [], objects: [String] = []
            var marker = ""
            while true {
                let page = try store.list(bucket: bucket, prefix: prefix, delimiter: recursive ? "" : "/", marker: marker, maxKeys: 1000)
                folders += page.commonPrefixes.map { "oss://\(bucket)/\($0)" }
                objects += page.objects.map { "oss://\(bucket)/\($0.key)" }
                guard let next = page.nextMarker else { break }
                marker = next
            }
            return (folders, objects)
        }
    }

    func get(_ url: String) async throws -> Data {
        switch self {
        case .remote(let oss, _, _): return Data(try await oss.get(url))
        case .local(let store):
            guard try store.stat(url) != nil else { throw APIError(404, "NoSuchKey", "The specified key does not exist.") }
            return try store.get(url)
        }
    }

    func put(_ data: Data, at url: String) async throws {
        switch self {
        case .remote(let oss, _, _): try await oss.put(Array(data), at: url)
        case .local(let store): try store.put(data, at: url)
        }
    }

    func copy(_ source: String, to url: String) async throws {
        switch self {
        case .remote(let oss, _, _): try await oss.copy(source, to: url)
        case .local(let store):
            guard try store.stat(source) != nil else { throw APIError(404, "NoSuchKey", "The specified key does not exist.") }
            try store.putFile(try store.path(of: source), at: url)
        }
    }

    /// Runs one operation on `url`; its failure is printed as a sentence that names the engine
    /// (or the directory) and says what to do, and the command exits 1.
    func attempt<T>(_ url: String, _ operation: (OSSObjects) async throws -> T) async throws -> T {
        do {
            return try await operation(self)
        } catch let e as APIError {
            throw OSSCommand.fail(message(url: url, code: e.code, detail: e.message, status: e.status))
        } catch let e as APIError {
            throw OSSCommand.fail(message(url: url, code: e.code, detail: e.message, status: e.status))
        } catch let e as ExitCode {
            throw e
        } catch {
            throw OSSCommand.fail("\(url) (\(place)): \(error)")
        }
    }

    /// "the engine at http://…" or "the local store DIR".
    var place: String {
        switch self {
        case .remote(_, let c, _): "the engine at \(c.endpoint)"
        case .local(let store): "the local store \(store.root)"
        }
    }

    func message(url: String, code: String, detail: String, status: Int) -> String {
        switch code {
        case APIError.endpointUnreachable:
            // The client's sentence: the address, where it came from, and how to start an engine.
            return detail + "; --local reads the store's directory on this host instead"
        case "NoSuchKey":
            return "\(url): no such object in \(place) (NoSuchKey)"
        case "NoSuchBucket":
            return "\(url): no such bucket in \(place) (NoSuchBucket): nothing has been written to it yet"
        case "InvalidAccessKeyId", "SignatureDoesNotMatch":
            let key = if case .remote(_, let c, _) = self { c.accessKeyId } else { "" }
            return """
                \(place) refused the access key \(key) (\(code)): set BCOPS_ACCESS_KEY_ID and BCOPS_ACCESS_KEY_SECRET \
                to that engine's keys (`bcctl engine credentials --data DIR` prints them)
                """
        default:
            return "\(url) (\(place)): \(code): \(detail)"
        }
    }
}

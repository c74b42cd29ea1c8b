import ArgumentParser
import BCEngine
import Foundation

/// `bcctl oss ls|cp|cat`: the engine's object store, where instance logs and outputs land.
public struct OSSCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "oss",
        abstract: "List, copy and print objects of the engine's object store (oss://bucket/key on local disk).",
        subcommands: [List.self, Copy.self, Cat.self])
    public init() {}

    struct StoreOptions: ParsableArguments {
        @Option(name: .long, help: "Engine data directory (default: $BCOPS_DATA or ~/.local/share/bcops).")
        var data: String?

        @Option(name: .customLong("oss-root"), help: "Object store root, if the engine was started with one (default: $BCOPS_OSS_ROOT or DATA/oss).")
        var ossRoot: String?

        var store: ObjectStore { ObjectStore(root: ossRoot ?? Engine.defaultObjectRoot(data: data ?? Engine.defaultDataDirectory)) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List objects under an oss:// prefix.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "An oss://bucket/prefix/.") var prefix: String

        func run() throws {
            for url in try options.store.list(prefix) { print(url) }
        }
    }

    struct Cat: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cat", abstract: "Print an object.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "An oss://bucket/key.") var url: String

        func run() throws {
            FileHandle.standardOutput.write(try options.store.get(url))
        }
    }

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cp", abstract: "Copy a file into the store, or an object out of it.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "A local path or an oss:// URL.") var source: String
        @Argument(help: "A local path or an oss:// URL; a trailing / keeps the source's name.") var destination: String

        func run() throws {
            let store = options.store
            let name = (source as NSString).lastPathComponent
            let target = destination.hasSuffix("/") ? destination + name : destination
            switch (source.hasPrefix("oss://"), target.hasPrefix("oss://")) {
            case (false, true): try store.putFile(source, at: target)
            case (true, false): try store.get(source).write(to: URL(fileURLWithPath: target))
            case (true, true): try store.put(try store.get(source), at: target)
            case (false, false): throw ValidationError("one side must be an oss:// URL")
            }
            print("\(source) -> \(target)")
        }
    }
}

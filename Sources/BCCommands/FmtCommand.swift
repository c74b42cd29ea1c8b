import ArgumentParser
import BCManifest
import BCModel

/// `bcctl fmt [-check]`: canonical formatting of manifests (placeholder until the formatter lands).
public struct FmtCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Rewrite manifests in canonical form (keys in schema order, 2-space indent), keeping comments.")

    @Argument(help: "Files or directories (default: the current directory).")
    public var paths: [String] = []

    @Flag(name: .tf("check"), help: "Change nothing; exit 3 and list the files that would change.")
    public var check = false

    public init() {}

    public func run() throws {
        printError("error: bcctl fmt is not implemented yet")
        throw ExitCode(1)
    }
}

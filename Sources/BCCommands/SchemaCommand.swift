import ArgumentParser
import Foundation
import BCManifest
import BCModel

/// `bcctl schema [KIND]`: JSON Schema (draft 2020-12) generated from the model.
public struct SchemaCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of a kind, or write every kind's schema to a directory.",
        discussion: "The files in manifests/schema/ are written by `bcctl schema -out-dir manifests/schema`; a test fails when they are out of date.")

    @Argument(help: "A kind (App, Cluster, SGECluster, RenderProject, RenderJob, WorkflowRun, Job). Omit for all kinds.")
    public var kind: String?

    @Option(name: .tf("out-dir"), help: "Write <kind>.json for every kind into this directory.")
    public var outDir: String?

    public init() {}

    public func run() throws {
        if let outDir {
            do {
                try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            } catch {
                printError("error: cannot create \(outDir): \(error.localizedDescription)")
                throw ExitCode(1)
            }
            for k in Kind.allCases {
                let path = (outDir.hasSuffix("/") ? outDir : outDir + "/") + JSONSchemaWriter.fileName(for: k)
                try FileSystem.write(JSONSchemaWriter.document(for: k).render() + "\n", to: path)
                print("wrote \(path)")
            }
            return
        }
        if let kind {
            guard let k = Kind.allCases.first(where: { $0.rawValue.lowercased() == kind.lowercased() }) else {
                printError("error: unknown kind \"\(kind)\" (kinds are \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))\(Suggestions.hint(for: kind, in: Kind.allCases.map(\.rawValue)))")
                throw ExitCode(1)
            }
            print(JSONSchemaWriter.document(for: k).render())
        } else {
            print(JSONText.object(Kind.allCases.map { ($0.rawValue, JSONSchemaWriter.document(for: $0)) }).render())
        }
    }
}

import ArgumentParser
import BCManifest
import BCModel

extension NameSpecification {
    /// Terraform spells long flags with one dash (`-json`); the two-dash form works too.
    static func tf(_ name: String) -> NameSpecification { [.customLong(name, withSingleDash: true), .customLong(name)] }
}

/// Where manifests come from, shared by every command that reads them.
public struct ManifestOptions: ParsableArguments {
    @Argument(help: "Manifest files or directories (default: the current directory).")
    public var paths: [String] = []

    @Option(name: .tf("catalog"), help: "A YAML file of extra instance types (also read from DIR/.bcops/instance-types.yaml).")
    public var catalog: String?

    @Flag(name: .tf("no-color"), help: "Never colour the output (NO_COLOR does the same).")
    public var noColor = false

    public init() {}

    public var inputPaths: [String] { paths.isEmpty ? ["."] : paths }

    /// The validation context with the built-in catalog plus any catalog files.
    public func context() -> (ValidationContext, [Diagnostic]) {
        var files: [String] = catalog.map { [$0] } ?? []
        for p in inputPaths {
            let conventional = (p.hasSuffix("/") ? p : p + "/") + CatalogFile.conventionalPath
            if FileSystem.isFile(conventional) { files.append(conventional) }
        }
        var catalog = InstanceTypeCatalog.builtIn
        var diagnostics: [Diagnostic] = []
        for file in files {
            guard let bytes = FileSystem.read(file) else {
                diagnostics.append(Diagnostic(file: file, mark: nil, message: "cannot read catalog file"))
                continue
            }
            let loaded = CatalogFile.load(bytes: bytes, file: file)
            catalog = catalog.merging(loaded.types)
            diagnostics.append(contentsOf: loaded.diagnostics)
        }
        return (ValidationContext(catalog: catalog), diagnostics)
    }

    /// Loads and validates everything, catalog problems included.
    /// - Parameter loader: the loader for the validation context (plan adds lowering hooks).
    public func load(with loader: (ValidationContext) -> ManifestLoader = { ManifestLoader(context: $0) }) -> LoadResult {
        ManifestOptions.load(paths: inputPaths, context: context(), with: loader)
    }

    /// The same, from values already read off the options (for loading on another thread).
    public static func load(paths: [String], context: (ValidationContext, [Diagnostic]),
                            with loader: (ValidationContext) -> ManifestLoader) -> LoadResult {
        var result = loader(context.0).load(paths: paths)
        result.diagnostics = (result.diagnostics + context.1).sorted()
        return result
    }
}

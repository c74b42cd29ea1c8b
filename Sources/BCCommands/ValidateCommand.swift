import ArgumentParser
import BCManifest
import BCModel
import BCPlan

/// `bcplan validate` / `bcctl validate`: every problem in the whole input, in one run.
public struct ValidateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests: syntax, fields, rules and references.",
        discussion: "Exits 0 when every manifest is valid and 1 otherwise. Problems are printed as PATH:LINE:COL: Kind/name: field: message, sorted by file and line; warnings (a run on a cluster with no nodes) the same way, without failing.")

    @OptionGroup public var input: ManifestOptions

    @Flag(name: .tf("json"), help: "Print the result as JSON (Terraform's validate -json shape).")
    public var json = false

    public init() {}

    public func run() throws {
        var result = input.load()
        // WDL read by miniwdl's parser: inputs the run would refuse are errors here too.
        let workflow = WorkflowChecks.diagnostics(result.manifests)
        result.diagnostics = (result.diagnostics + workflow.errors).sorted()
        let warnings = (ManifestWarnings.find(in: result) + AppJobWarnings.find(in: result) + workflow.warnings).sorted()
        if json {
            print(ValidateCommand.json(result, warnings: warnings).render())
        } else {
            let out = Terminal(noColorFlag: input.noColor)
            let err = Terminal(noColorFlag: input.noColor, stream: 2)
            for d in result.diagnostics { printError(err.red("error: ") + d.description) }
            for w in warnings { printError(err.yellow("warning: ") + w.description) }
            if result.isValid {
                let noted = warnings.isEmpty ? "" : " (\(warnings.count) warning\(warnings.count == 1 ? "" : "s"))"
                print(out.green("Success!") + " \(result.manifests.count) manifest\(result.manifests.count == 1 ? "" : "s") in \(result.files.count) file\(result.files.count == 1 ? "" : "s") valid\(noted).")
            } else {
                let files = Set(result.diagnostics.map(\.file)).count
                printError(err.bold("\(result.diagnostics.count) problem\(result.diagnostics.count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")."))
            }
        }
        Terminal.exitNow(result.isValid ? 0 : 1)
    }

    public static func json(_ result: LoadResult, warnings: [Diagnostic] = []) -> JSONText {
        .object([
            ("format_version", .string("1.0")),
            ("valid", .bool(result.isValid)),
            ("error_count", .int(result.diagnostics.count)),
            ("warning_count", .int(warnings.count)),
            ("manifest_count", .int(result.manifests.count)),
            ("file_count", .int(result.files.count)),
            ("diagnostics", .array((result.diagnostics.map { ($0, "error") } + warnings.map { ($0, "warning") }).map { d, severity in
                var pairs: [(String, JSONText)] = [
                    ("severity", .string(severity)),
                    ("summary", .string(d.message)),
                    ("detail", .string(d.description)),
                ]
                if let a = d.address { pairs.append(("address", .string(a))) }
                if let f = d.field, !f.isEmpty { pairs.append(("field", .string(f.description))) }
                var range: [(String, JSONText)] = [("filename", .string(d.file))]
                if let m = d.mark { range.append(("start", .object([("line", .int(m.line)), ("column", .int(m.column))]))) }
                pairs.append(("range", .object(range)))
                return .object(pairs)
            })),
        ])
    }
}

import ArgumentParser
import Foundation

/// The one version string of bcops: `bcplan -version`, `bcapply --version`, `bcctl version`,
/// plans' JSON (`terraform_version`'s place) all print it.
public enum BCOpsVersion {
    public static let string = "0.1.0"
}

/// `bcplan version`, `bcapply version`, `bcctl version`: Terraform's spelling of `--version`.
public struct VersionCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version of bcops.")
    public init() {}
    public func run() throws { print(BCOpsVersion.string) }
}

/// What ArgumentParser does not do the way bcops' users expect:
///
/// * `-version` and `-help` (Terraform's one-dash spelling) before anything else mean
///   `--version` and `--help`.
/// * A command group that runs a default subcommand (`bcplan` runs `plan`, `bcapply` runs
///   `apply`, `bcctl controller` runs `run`, `bcctl lock` runs `list`) is used with that
///   subcommand's flags, so its help lists them: ArgumentParser's help of such a group lists
///   only `--version` and `--help`, since the flags belong to the subcommand.
public enum CommandLineHelp {
    /// The arguments with Terraform's spellings of the built-in flags made ArgumentParser's.
    public static func normalized(_ arguments: [String]) -> [String] {
        guard let first = arguments.first else { return arguments }
        switch first {
        case "-version": return ["--version"] + arguments.dropFirst()
        case "-help": return ["--help"] + arguments.dropFirst()
        default: return arguments
        }
    }

    /// When `arguments` ask for the help of a group that has a default subcommand: that
    /// help with the default subcommand's usage, arguments and options in it. Nil otherwise
    /// (ArgumentParser's own help is right).
    public static func groupHelp(root: ParsableCommand.Type, arguments: [String], columns: Int? = nil) -> String? {
        guard arguments.contains(where: { ["-h", "--help", "-help", "help"].contains($0) }) else { return nil }
        let message: String
        do {
            // `--help` parses to ArgumentParser's (internal) help command, which throws the
            // help when run; any other command is not run here.
            var command = try root.parseAsRoot(arguments)
            guard String(describing: type(of: command)) == "HelpCommand" else { return nil }
            try command.run()
            return nil
        } catch {
            guard root.exitCode(for: error) == .success else { return nil }
            message = root.fullMessage(for: error, columns: columns)
        }
        for (group, path) in groups(root, path: []) {
            guard let defaultSubcommand = group.configuration.defaultSubcommand else { continue }
            let groupText = ObjectIdentifier(group) == ObjectIdentifier(root) ? root.helpMessage(columns: columns) : root.helpMessage(for: group, columns: columns)
            guard trim(groupText) == trim(message) else { continue }
            let subcommandText = root.helpMessage(for: defaultSubcommand, columns: columns)
            let rootName = root.configuration.commandName ?? ""
            let groupPath = ([rootName] + path).joined(separator: " ")
            return merge(group: groupText, subcommand: subcommandText, groupPath: groupPath,
                         subcommandName: defaultSubcommand.configuration.commandName ?? "")
        }
        return nil
    }

    /// Every command with subcommands under `root` (itself included), with its path of names.
    static func groups(_ command: ParsableCommand.Type, path: [String]) -> [(ParsableCommand.Type, [String])] {
        let subcommands = command.configuration.subcommands
        guard !subcommands.isEmpty else { return [] }
        var out = [(command, path)]
        for sub in subcommands {
            out += groups(sub, path: path + [sub.configuration.commandName ?? ""])
        }
        return out
    }

    /// A help text's sections: a header line at column 0 (`OVERVIEW:`, `USAGE:`, `OPTIONS:`,
    /// `SUBCOMMANDS:`, …) and what follows it up to the next header.
    static func sections(_ text: String) -> [(header: String, body: String)] {
        var out: [(header: String, body: String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let header = header(of: line) {
                out.append((header, String(line) + "\n"))
            } else if !out.isEmpty {
                out[out.count - 1].body += line + "\n"
            }
        }
        return out
    }

    static func header(of line: Substring) -> String? {
        guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return nil }
        let name = line[..<colon]
        guard name.first?.isUppercase == true, name.allSatisfy({ $0.isUppercase || $0 == " " || $0 == "-" }) else { return nil }
        return String(name)
    }

    static func merge(group: String, subcommand: String, groupPath: String, subcommandName: String) -> String {
        let g = sections(group), s = sections(subcommand)
        var out = ""
        // The group's overview, then what the subcommand's overview adds after its abstract.
        if let overview = g.first(where: { $0.header == "OVERVIEW" }) { out += trimTrailing(overview.body) + "\n\n" }
        if let sub = s.first(where: { $0.header == "OVERVIEW" }), let blank = sub.body.range(of: "\n\n") {
            let rest = sub.body[blank.upperBound...].trimmingCharacters(in: .newlines)
            if !rest.isEmpty, !out.contains(rest) { out += rest + "\n\n" }
        }
        // Both ways to call it: the default subcommand's usage, its name optional, and the group's.
        if let usage = s.first(where: { $0.header == "USAGE" }) {
            let full = "\(groupPath) \(subcommandName)"
            var text = trimTrailing(usage.body)
            if let r = text.range(of: full) { text.replaceSubrange(r, with: "\(groupPath) [\(subcommandName)]") }
            out += text + "\n"
            if let groupUsage = g.first(where: { $0.header == "USAGE" }) {
                let line = trimTrailing(groupUsage.body).dropFirst("USAGE: ".count)
                out += "       " + line + "\n"
            }
            out += "\n"
        }
        for section in s where !["OVERVIEW", "USAGE"].contains(section.header) && !section.header.hasSuffix("SUBCOMMANDS") {
            out += trimTrailing(section.body) + "\n\n"
        }
        for section in g where section.header.hasSuffix("SUBCOMMANDS") {
            out += trimTrailing(section.body) + "\n\n"
        }
        return trimTrailing(out)
    }

    static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }
    static func trimTrailing(_ s: Substring) -> String { trimTrailing(String(s)) }
    static func trimTrailing(_ s: String) -> String {
        var t = s
        while let last = t.last, last.isWhitespace { t.removeLast() }
        return t
    }
}

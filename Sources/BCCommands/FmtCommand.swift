import ArgumentParser
import BCManifest
import Foundation

/// `bcctl fmt [-check] [-diff] [PATH...]`: canonical formatting of manifests, Terraform-style.
///
/// Exit codes follow `terraform fmt -check`: 0 all formatted (or rewritten), 3 with `-check`
/// when some file would change, 2 when a file could not be parsed, read or written.
public struct FmtCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Rewrite manifests in canonical form (keys in schema order, 2-space indent), keeping comments.",
        discussion: """
            Rewrites files in place and prints the name of each file it changed. With -check nothing is \
            written: the files that would change are listed and the exit code is 3 if there are any. \
            Files with syntax errors are reported as PATH:LINE:COL: message and left alone (exit code 2); \
            files using anchors or aliases are skipped.
            """)

    @Argument(help: "Files or directories (default: the current directory).")
    public var paths: [String] = []

    @Flag(name: .tf("check"), help: "Change nothing; exit 3 and list the files that would change.")
    public var check = false

    @Flag(name: .tf("diff"), help: "Print a diff of each change.")
    public var diff = false

    public init() {}

    public func run() throws {
        let report = FmtCommand.format(paths: paths.isEmpty ? ["."] : paths, check: check, diff: diff)
        for line in report.output { print(line) }
        for line in report.errors { printError(line) }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// Formats (or with `check`, only inspects) every manifest file under `paths`.
    /// The whole command without the process: tests call this.
    public static func format(paths: [String], check: Bool, diff: Bool = false,
                              formatter: ManifestFormatter = ManifestFormatter()) -> FmtReport {
        var report = FmtReport(check: check)
        var seen = Set<String>()
        for path in paths {
            switch ManifestFormatter.files(at: path) {
            case .failure(let problem):
                report.add(FmtReport.File(path: path, status: .failed("\(path): \(problem.message)")))
            case .success(let files):
                for file in files where seen.insert(file).inserted {
                    report.add(formatFile(file, check: check, diff: diff, formatter: formatter))
                }
            }
        }
        return report
    }

    static func formatFile(_ path: String, check: Bool, diff: Bool, formatter: ManifestFormatter) -> FmtReport.File {
        guard let bytes = FileSystem.read(path) else { return FmtReport.File(path: path, status: .failed("\(path): cannot read file")) }
        switch formatter.format(bytes: bytes) {
        case .syntaxError(let p):
            return FmtReport.File(path: path, status: .failed("\(path):\(p.mark.line):\(p.mark.column): \(p.message)"))
        case .skipped(let reason):
            return FmtReport.File(path: path, status: .skipped("\(path): skipped: \(reason)"))
        case .formatted(let text):
            // Bytes, not String ==, which would call differently normalized text equal.
            if Array(text.utf8) == bytes { return FmtReport.File(path: path, status: .unchanged) }
            var file = FmtReport.File(path: path, status: .changed)
            if diff { file.diff = LineDiff.unified(old: String(decoding: bytes, as: UTF8.self), new: text, path: path) }
            if !check {
                do { try rewrite(path, with: text) } catch {
                    return FmtReport.File(path: path, status: .failed("\(path): cannot write file: \(error.localizedDescription)"))
                }
            }
            return file
        }
    }
}

extension FmtCommand {
    /// Atomic rewrite that keeps what a rename would lose: the file's permission bits, and a
    /// symbolic link (the file it points to is rewritten, not the link replaced).
    static func rewrite(_ path: String, with text: String) throws {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        // A file that does not exist yet has no mode to keep.
        let mode = (try? FileManager.default.attributesOfItem(atPath: target))?[.posixPermissions]
        try FileSystem.write(text, to: target)
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target) }
    }
}

/// What `bcctl fmt` did, file by file, with the lines it prints and its exit code.
public struct FmtReport: Sendable {
    public enum Status: Sendable, Equatable {
        case unchanged
        /// Rewritten, or with `-check`, would be.
        case changed
        /// Left alone on purpose (anchors, directives); the message says why.
        case skipped(String)
        /// Not parsed, read or written; the message is `path:line:col: message` where known.
        case failed(String)
    }

    public struct File: Sendable {
        public var path: String
        public var status: Status
        public var diff: [String] = []
    }

    /// Whether this was a `-check` run (nothing written).
    public let check: Bool
    public private(set) var files: [File] = []
    /// Standard output: changed file names, then their diffs.
    public private(set) var output: [String] = []
    /// Standard error: syntax errors and skipped files.
    public private(set) var errors: [String] = []

    mutating func add(_ file: File) {
        files.append(file)
        switch file.status {
        case .unchanged: break
        case .changed: output.append(file.path); output.append(contentsOf: file.diff)
        case .skipped(let message), .failed(let message): errors.append(message)
        }
    }

    public var changed: [String] { files.filter { $0.status == .changed }.map(\.path) }

    /// 2 if any file failed, else 3 when checking and some file would change, else 0.
    public var exitCode: Int32 {
        if files.contains(where: { if case .failed = $0.status { true } else { false } }) { return 2 }
        return check && !changed.isEmpty ? 3 : 0
    }
}

/// A line diff in unified form (`-old`/`+new` with three lines of context), enough to review fmt.
enum LineDiff {
    static func unified(old: String, new: String, path: String) -> [String] {
        let a = lines(old), b = lines(new)
        let ops = script(a, b)
        var out = ["--- \(path)", "+++ \(path) (formatted)"]
        var i = 0
        while i < ops.count {
            guard ops[i].kind != " " else { i += 1; continue }
            // A hunk: this change, the changes within 6 lines of it, and 3 lines of context.
            var end = i
            var j = i
            while j < ops.count {
                if ops[j].kind != " " { end = j; j += 1; continue }
                if j - end > 6 { break }
                j += 1
            }
            let from = max(0, i - 3), to = min(ops.count, end + 4)
            let hunk = ops[from..<to]
            let oldCount = hunk.filter { $0.kind != "+" }.count, newCount = hunk.filter { $0.kind != "-" }.count
            out.append("@@ -\(hunk.first!.oldLine),\(oldCount) +\(hunk.first!.newLine),\(newCount) @@")
            out.append(contentsOf: hunk.map { "\($0.kind)\($0.text)" })
            i = to
        }
        return out
    }

    private static func lines(_ s: String) -> [Substring] {
        var l = s.split(separator: "\n", omittingEmptySubsequences: false)
        if l.last == "" { l.removeLast() }
        return l
    }

    struct Op { var kind: Character; var text: Substring; var oldLine: Int; var newLine: Int }

    /// Longest-common-subsequence edit script after trimming the common head and tail; a middle
    /// too large for the table is shown as removed and added whole.
    private static func script(_ a: [Substring], _ b: [Substring]) -> [Op] {
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let x = Array(a[head..<(a.count - tail)]), y = Array(b[head..<(b.count - tail)])
        var ops: [Op] = []
        var ai = 0, bi = 0
        func push(_ kind: Character, _ text: Substring) {
            ops.append(Op(kind: kind, text: text, oldLine: ai + 1, newLine: bi + 1))
            if kind != "+" { ai += 1 }
            if kind != "-" { bi += 1 }
        }
        for l in a[..<head] { push(" ", l) }
        if x.count * y.count <= 4_000_000 {
            // lcs[i][j]: length of the LCS of x[i...] and y[j...].
            let w = y.count + 1
            var lcs = [Int32](repeating: 0, count: (x.count + 1) * w)
            for i in stride(from: x.count - 1, through: 0, by: -1) {
                for j in stride(from: y.count - 1, through: 0, by: -1) {
                    lcs[i * w + j] = x[i] == y[j] ? lcs[(i + 1) * w + j + 1] + 1 : max(lcs[(i + 1) * w + j], lcs[i * w + j + 1])
                }
            }
            var i = 0, j = 0
            while i < x.count || j < y.count {
                if i < x.count, j < y.count, x[i] == y[j] { push(" ", x[i]); i += 1; j += 1 }
                else if i < x.count, j == y.count || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] { push("-", x[i]); i += 1 }
                else { push("+", y[j]); j += 1 }
            }
        } else {
            for l in x { push("-", l) }
            for l in y { push("+", l) }
        }
        for l in a[(a.count - tail)...] { push(" ", l) }
        return ops
    }
}

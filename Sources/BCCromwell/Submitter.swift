import BCAPI
import BCClient
import BCModel
import BCPlan
import Foundation

/// Turns a checked submission into a workflow record: fetches a `workflowUrl`, unpacks the
/// imports zip beside the WDL, and hands them to the same reading, checking and staging a
/// WorkflowRun manifest's plan does (`WorkflowSources.bundle`: miniwdl's parser on the WDL and
/// its inputs, content-addressed objects under the root bucket's `bcops/workflows/`). What
/// miniwdl refuses is a 400 with its located message, before anything is staged or recorded.
struct Submitter: Sendable {
    let client: BatchComputeClient
    let settings: CromwellSettings

    /// What the checks make of a submission: the bundle to stage, the WDL and its file name.
    struct Prepared {
        var bundle: WorkflowBundle
        var source: [UInt8]
        var main: String
        var workflowName: String { bundle.workflowName ?? (main as NSString).deletingPathExtension }
    }

    func prepare(_ form: SubmissionForm) async throws -> Prepared {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-cromwell-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (source, fileName) = try await workflowSource(form)
        let main = Self.safeName(fileName)
        if let zip = form.dependencies { try await Self.unzip(zip, into: directory) }
        try Data(source).write(to: URL(fileURLWithPath: directory + "/" + main))

        var spec = WorkflowRunSpec(workflow: main, outputsDir: settings.root)
        spec.inputs = form.inputs
        spec.options = form.runnerOptions(defaults: settings.defaultRuntimeAttributes)
        let manifestFile = directory + "/submission", checked = spec
        do {
            let bundle = try await Self.offThread { try WorkflowSources.bundle(checked, manifestFile: manifestFile) }
            return Prepared(bundle: bundle, source: source, main: main)
        } catch let problems as WorkflowSources.Problems {
            throw CromwellFailure.badRequest("Error(s): " + problems.all.map { Self.clientWords($0.message, directory: directory) }.joined(separator: "\n"))
        }
    }

    /// womtool's describe: the checks alone; the workflow's name.
    func check(_ form: SubmissionForm) async throws -> String {
        try await prepare(form).workflowName
    }

    func record(_ form: SubmissionForm, id: String, sequence: Int) async throws -> WorkflowRecord {
        let prepared = try await prepare(form)
        let bundle = prepared.bundle, source = prepared.source, workflowName = prepared.workflowName
        let oss = OSSClient(client)
        for object in bundle.staged { try await oss.put(object.bytes, at: object.url) }
        let runRoot = settings.root + workflowName + "/" + form.tag + "/" + id + "/"
        let now = WireTime.format(Date())
        return WorkflowRecord(
            id: id, sequence: sequence, submission: now, phase: form.onHold ? .onHold : .queued, jobId: nil, labels: form.labels,
            workflowName: workflowName, workflow: bundle.workflow, inputs: bundle.inputs, options: bundle.options,
            workingDir: settings.root, outputsDir: runRoot + "outputs/",
            submittedFiles: .init(workflow: String(decoding: source, as: UTF8.self), workflowUrl: form.url, inputs: form.inputsText,
                                  options: form.optionsText, labels: form.labelsText, workflowType: "WDL",
                                  workflowTypeVersion: form.typeVersion, root: runRoot),
            warnings: bundle.notes)
    }

    /// The WDL's bytes and a file name for it.
    func workflowSource(_ form: SubmissionForm) async throws -> ([UInt8], String) {
        if let source = form.source { return (source, form.sourceName ?? "workflow.wdl") }
        let url = form.url!
        let name = URL(string: url)?.lastPathComponent ?? "workflow.wdl"
        if url.hasPrefix("oss://") {
            do { return (try await OSSClient(client).get(url), name) } catch {
                throw CromwellFailure.badRequest("Error(s): cannot read workflowUrl \(url): \(error)")
            }
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw CromwellFailure.badRequest("Error(s): workflowUrl must be an http(s):// or oss:// URL, got \(url)")
        }
        let fetched = try await Self.offThread { try Self.curl(url) }
        return (fetched, name)
    }

    /// A plain file name, whatever the client called the upload.
    static func safeName(_ name: String) -> String {
        let base = (name as NSString).lastPathComponent
        let cleaned = String(base.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" ? $0 : "_" })
        return cleaned.isEmpty || cleaned.hasPrefix(".") ? "workflow.wdl" : cleaned
    }

    /// Temporary paths out of miniwdl's messages: the client knows its files by their names.
    static func clientWords(_ message: String, directory: String) -> String {
        message.replacingOccurrences(of: directory + "/", with: "")
    }

    static func unzip(_ zip: [UInt8], into directory: String) async throws {
        let file = directory + "/.dependencies.zip"
        try Data(zip).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        // unzip(1) refuses entries that would leave the directory (`../`, absolute paths).
        let (status, output) = try await offThread { try run("/usr/bin/unzip", ["-qq", "-o", file, "-d", directory]) }
        guard status == 0 else {
            throw CromwellFailure.badRequest("Error(s): workflowDependencies is not a zip of imports: \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    static func curl(_ url: String) throws -> [UInt8] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-cromwell-url-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, errors) = try run("/usr/bin/curl", ["-fsSL", "--max-time", "30", "--max-filesize", "16777216", "-o", out, url])
        guard status == 0, let data = FileManager.default.contents(atPath: out) else {
            throw CromwellFailure.badRequest("Error(s): cannot fetch workflowUrl \(url): \(errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return Array(data)
    }

    /// Runs a tool to its end; its exit status and what it said.
    static func run(_ tool: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let said = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: said, as: UTF8.self))
    }

    /// Blocking work (a Python start, a process) off the cooperative threads the server answers on.
    static func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }
}

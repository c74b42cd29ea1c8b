import BCAPI
import BCClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Cromwell's REST API (`/api/workflows/v1/…`, `/engine/v1/…`, womtool's `describe`) over the
/// engine: each workflow a runner job of the public `cromwell` App, built as a WorkflowRun's
/// is. Reads and writes live state only through the API client, like the dashboard; the
/// engine knows nothing of Cromwell. Workflows submitted here belong to no workspace, so no
/// plan ever sees them.
public struct CromwellAPI: Sendable {
    let client: BatchComputeClient
    let settings: CromwellSettings
    let book: WorkflowBook
    let submitter: Submitter

    init(client: BatchComputeClient, settings: CromwellSettings, logger: Logger) {
        self.client = client
        self.settings = settings
        self.book = WorkflowBook(client: client, settings: settings, logger: logger)
        self.submitter = Submitter(client: client, settings: settings)
    }

    struct Submitted: Codable, Sendable {
        var id: String
        var status: String
    }

    struct Labels: Codable, Sendable {
        var id: String
        var labels: [String: String]
    }

    struct Backends: Codable, Sendable {
        var supportedBackends: [String]
        var defaultBackend: String
    }

    struct Version: Codable, Sendable { var cromwell: String }

    static let api = "/api/workflows/v1"

    /// - Parameter names: the listener's names, for the browser guard; nil (tests of the router
    ///   alone): any.
    func router(names: ListenerNames? = nil) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: FailureMiddleware())
        if let names { router.add(middleware: BrowserGuard(names: names)) }
        if let token = settings.token { router.add(middleware: BearerToken(token: token)) }
        router.post(RouterPath(stringLiteral: Self.api)) { request, _ in try await self.submit(request) }
        router.post(RouterPath(stringLiteral: Self.api + "/batch")) { request, _ in try await self.submitBatch(request) }
        router.get(RouterPath(stringLiteral: Self.api + "/query")) { request, _ in try await self.query(Self.queryItems(request)) }
        router.post(RouterPath(stringLiteral: Self.api + "/query")) { request, _ in
            try await self.query(WorkflowQuery.items(posted: Self.body(request, limit: 1 << 20)))
        }
        router.get(RouterPath(stringLiteral: Self.api + "/backends")) { _, _ in
            CromwellAnswer.json(Backends(supportedBackends: ["BCS"], defaultBackend: "BCS"))
        }
        router.get(RouterPath(stringLiteral: Self.api + "/:id/status")) { _, context in
            let r = try await self.book.record(context.parameters.get("id") ?? "")
            return CromwellAnswer.json(Submitted(id: r.id, status: try await self.book.status(r).rawValue))
        }
        router.get(RouterPath(stringLiteral: Self.api + "/:id/metadata")) { request, context in
            let items = Self.queryItems(request)
            let doc = try await self.metadata(context.parameters.get("id") ?? "")
            return CromwellAnswer.json(.object(MetadataView.filtered(doc, include: items.filter { $0.0 == "includeKey" }.map(\.1),
                                                                     exclude: items.filter { $0.0 == "excludeKey" }.map(\.1))))
        }
        router.get(RouterPath(stringLiteral: Self.api + "/:id/outputs")) { _, context in
            let doc = try await self.metadata(context.parameters.get("id") ?? "")
            return CromwellAnswer.json(.object(["id": doc["id"] ?? .null, "outputs": doc["outputs"] ?? .object([:])]))
        }
        router.get(RouterPath(stringLiteral: Self.api + "/:id/logs")) { _, context in
            CromwellAnswer.json(.object(MetadataView.logs(try await self.metadata(context.parameters.get("id") ?? ""))))
        }
        router.post(RouterPath(stringLiteral: Self.api + "/:id/abort")) { _, context in
            let id = context.parameters.get("id") ?? ""
            let status = try await self.book.abort(id)
            return CromwellAnswer.json(Submitted(id: id.lowercased(), status: status.rawValue))
        }
        router.post(RouterPath(stringLiteral: Self.api + "/:id/releaseHold")) { _, context in
            let r = try await self.book.releaseHold(context.parameters.get("id") ?? "")
            return CromwellAnswer.json(Submitted(id: r.id, status: WorkflowStatus.submitted.rawValue))
        }
        router.get(RouterPath(stringLiteral: Self.api + "/:id/labels")) { _, context in
            let r = try await self.book.record(context.parameters.get("id") ?? "")
            return CromwellAnswer.json(Labels(id: r.id, labels: Self.shownLabels(r)))
        }
        router.patch(RouterPath(stringLiteral: Self.api + "/:id/labels")) { request, context in
            let body = try await Self.body(request, limit: 1 << 20)
            guard let o = (try? JSONValue.parse(body))?.objectValue else {
                throw CromwellFailure.badRequest("the labels must be a JSON object of strings")
            }
            let r = try await self.book.setLabels(context.parameters.get("id") ?? "", try SubmissionForm.labels(o))
            return CromwellAnswer.json(Labels(id: r.id, labels: Self.shownLabels(r)))
        }
        router.get("/engine/v1/version") { _, _ in CromwellAnswer.json(Version(cromwell: "bcops")) }
        router.get("/engine/v1/status") { _, _ in
            do {
                _ = try await self.client.jobCounts()
                return CromwellAnswer.json(JSONValue.object([:]))
            } catch {
                return CromwellAnswer.json(JSONValue.object(["Engine": .object(["ok": .bool(false), "messages": .array([.string("\(error)")])])]),
                                           status: .internalServerError)
            }
        }
        router.post("/api/womtool/v1/describe") { request, _ in try await self.describe(request) }
        return router
    }

    // MARK: Handlers

    func submit(_ request: Request) async throws -> Response {
        let form = try SubmissionForm(try await Self.form(request, limit: settings.maxBodyBytes))
        let r = try await accept(form)
        return CromwellAnswer.json(Submitted(id: r.id, status: WorkflowStatus.of(r, job: nil).rawValue), status: .created)
    }

    /// `POST …/batch`: the same form, with `workflowInputs` a JSON array, one workflow per element.
    func submitBatch(_ request: Request) async throws -> Response {
        let form = try await Self.form(request, limit: settings.maxBodyBytes)
        guard let inputs = form["workflowInputs"], let array = (try? JSONValue.parse(inputs.bytes))?.arrayValue, !array.isEmpty else {
            throw CromwellFailure.badRequest("Error(s): a batch needs workflowInputs as a non-empty JSON array of input objects")
        }
        var forms: [SubmissionForm] = []
        for element in array {
            var one = form
            one.parts = form.parts.filter { $0.name != "workflowInputs" && $0.name != "requestedWorkflowId" }
                + [.init(name: "workflowInputs", filename: nil, bytes: element.canonicalBytes)]
            forms.append(try SubmissionForm(one))
        }
        var answers: [Submitted] = []
        for f in forms {
            let r = try await accept(f)
            answers.append(Submitted(id: r.id, status: WorkflowStatus.of(r, job: nil).rawValue))
        }
        return CromwellAnswer.json(answers, status: .created)
    }

    /// Checks, stages and records one workflow; the queue launches it when it may run.
    func accept(_ form: SubmissionForm) async throws -> WorkflowRecord {
        var id = form.requestedId ?? UUID().uuidString.lowercased()
        if form.requestedId != nil, await book.contains(id) {
            throw CromwellFailure.badRequest("Error(s): Workflow ID \(id) is already in use")
        }
        while form.requestedId == nil, await book.contains(id) { id = UUID().uuidString.lowercased() }
        let record = try await submitter.record(form, id: id, sequence: 0)
        return try await book.add(record)
    }

    func metadata(_ id: String) async throws -> [String: JSONValue] {
        let r = try await book.record(id)
        let job = try await book.jobState(r)
        let status = WorkflowStatus.of(r, job: job?.state)
        var runner: JSONValue?
        if r.jobId != nil, let bytes = try? await OSSClient(client).get(r.metadataURL) { runner = try? JSONValue.parse(bytes) }
        return MetadataView.document(r, status: status, job: job, runner: runner)
    }

    func query(_ items: [(String, String)]) async throws -> Response {
        let query = try WorkflowQuery(items)
        let rows = try await book.snapshot().map { r, job -> (WorkflowQuery.Result, [String: String]) in
            let status = WorkflowStatus.of(r, job: job?.state)
            let start = job.flatMap { $0.startTime.isEmpty ? nil : $0.startTime }
            let end = status.isTerminal ? (job.flatMap { $0.endTime.isEmpty ? nil : $0.endTime } ?? r.end) : nil
            return (.init(id: r.id, name: r.workflowName, status: status.rawValue, submission: r.submission, start: start, end: end),
                    Self.shownLabels(r))
        }
        return CromwellAnswer.json(query.answer(rows))
    }

    /// womtool's `describe`, which cromshell asks before it submits: the same checks a
    /// submission gets (miniwdl's parser and the inputs), nothing staged.
    func describe(_ request: Request) async throws -> Response {
        struct Described: Codable, Sendable {
            var valid: Bool
            var errors: [String]
            var validWorkflow: Bool
            var isRunnableWorkflow: Bool
            var name: String
            var inputs: [String] = []
            var outputs: [String] = []
            var images: [String] = []
            var submittedDescriptorType: [String: String]
            var importedDescriptorTypes: [String] = []
            var meta: [String: String] = [:]
            var parameterMeta: [String: String] = [:]
        }
        let form = try SubmissionForm(try await Self.form(request, limit: settings.maxBodyBytes))
        let type = ["descriptorType": "WDL", "descriptorTypeVersion": form.typeVersion ?? "1.0"]
        do {
            let name = try await submitter.check(form)
            return CromwellAnswer.json(Described(valid: true, errors: [], validWorkflow: true, isRunnableWorkflow: true, name: name, submittedDescriptorType: type))
        } catch let failure as CromwellFailure where failure.status == .badRequest {
            let errors = failure.message.hasPrefix("Error(s): ") ? String(failure.message.dropFirst(10)) : failure.message
            return CromwellAnswer.json(Described(valid: false, errors: errors.split(separator: "\n").map(String.init), validWorkflow: false,
                                                 isRunnableWorkflow: false, name: "", submittedDescriptorType: type))
        }
    }

    // MARK: Reading requests

    /// The labels a client sees: its own and Cromwell's `cromwell-workflow-id`.
    static func shownLabels(_ r: WorkflowRecord) -> [String: String] {
        var labels = r.labels
        labels["cromwell-workflow-id"] = "cromwell-" + r.id
        return labels
    }

    static func body(_ request: Request, limit: Int) async throws -> [UInt8] {
        var buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw CromwellFailure(.contentTooLarge, "the request body is over \(limit) bytes")
        }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    static func form(_ request: Request, limit: Int) async throws -> MultipartForm {
        guard let type = request.headers[.contentType], let boundary = MultipartForm.boundary(contentType: type) else {
            throw CromwellFailure.badRequest("Error(s): a submission is multipart/form-data (workflowSource or workflowUrl, workflowInputs, workflowOptions, …)")
        }
        do { return try MultipartForm.parse(try await body(request, limit: limit), boundary: boundary) } catch let malformed as MultipartForm.Malformed {
            throw CromwellFailure.badRequest("Error(s): malformed multipart body: \(malformed)")
        }
    }

    /// The query string's pairs in order, repeated keys kept, `+` and `%xx` decoded.
    static func queryItems(_ request: Request) -> [(String, String)] {
        guard let query = request.uri.query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            return (decode(kv[0]), kv.count > 1 ? decode(kv[1]) : "")
        }
    }
}

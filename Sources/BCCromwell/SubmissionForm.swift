import BCAPI
import Foundation

/// A submission as Cromwell's `POST /api/workflows/v1` takes it, read from its multipart form
/// and checked field by field; what it cannot be is a 400 naming the field, as Cromwell says it.
struct SubmissionForm: Sendable {
    var source: [UInt8]?
    var sourceName: String?
    var url: String?
    /// `workflowInputs`, then `workflowInputs_2` … `_5`: later ones override earlier keys.
    var inputs: [String: JSONValue]
    var inputsText: String
    var options: [String: JSONValue]
    var optionsText: String
    var labels: [String: String]
    var labelsText: String
    var onHold: Bool
    var dependencies: [UInt8]?
    var type: String
    var typeVersion: String?
    var requestedId: String?

    init(_ form: MultipartForm) throws(CromwellFailure) {
        let known: Set<String> = ["workflowSource", "workflowUrl", "workflowInputs", "workflowInputs_2", "workflowInputs_3", "workflowInputs_4",
                                  "workflowInputs_5", "workflowOptions", "labels", "workflowOnHold", "workflowDependencies", "workflowType",
                                  "workflowTypeVersion", "requestedWorkflowId", "workflowRoot"]
        for part in form.parts where !known.contains(part.name) {
            throw .badRequest("Error(s): Unexpected body part name: \(part.name)")
        }
        source = form["workflowSource"]?.bytes
        sourceName = form["workflowSource"]?.filename
        url = form["workflowUrl"].map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        if url?.isEmpty == true { url = nil }
        switch (source, url) {
        case (nil, nil): throw .badRequest("Error(s): Workflow source and workflow url are both absent: give workflowSource or workflowUrl")
        case (_?, _?): throw .badRequest("Error(s): Both workflow source and url can't be supplied: give workflowSource or workflowUrl, not both")
        default: break
        }
        type = form["workflowType"].map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "WDL"
        guard type.uppercased() == "WDL" else {
            throw .badRequest("Error(s): Unsupported workflow type \(type): this server runs WDL (with miniwdl)")
        }
        typeVersion = form["workflowTypeVersion"].map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        inputs = [:]
        var inputTexts: [String] = []
        for name in ["workflowInputs", "workflowInputs_2", "workflowInputs_3", "workflowInputs_4", "workflowInputs_5"] {
            guard let part = form[name], !part.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            inputs.merge(try Self.object(part, "workflow inputs")) { _, later in later }
            inputTexts.append(part.text)
        }
        inputsText = inputTexts.count == 1 ? inputTexts[0] : (inputTexts.isEmpty ? "{}" : JSONValue.object(inputs).canonicalString)
        let optionsPart = form["workflowOptions"].flatMap { $0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        if let optionsPart { options = try Self.object(optionsPart, "workflow options") } else { options = [:] }
        optionsText = optionsPart?.text ?? "{}"
        let labelsPart = form["labels"].flatMap { $0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        if let labelsPart { labels = try Self.labels(Self.object(labelsPart, "labels")) } else { labels = [:] }
        labelsText = labelsPart?.text ?? "{}"
        switch form["workflowOnHold"]?.text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case nil, "", "false": onHold = false
        case "true": onHold = true
        case let other?: throw .badRequest("Error(s): workflowOnHold must be true or false, got \(other)")
        }
        dependencies = form["workflowDependencies"].flatMap { $0.bytes.isEmpty ? nil : $0.bytes }
        if let requested = form["requestedWorkflowId"]?.text.trimmingCharacters(in: .whitespacesAndNewlines), !requested.isEmpty {
            guard UUID(uuidString: requested) != nil else { throw .badRequest("Error(s): requestedWorkflowId \(requested) is not a UUID") }
            requestedId = requested.lowercased()
        }
        try checkOptions()
    }

    /// The options bcops acts on, checked before anything runs.
    func checkOptions() throws(CromwellFailure) {
        if let tag = options["bcs_workflow_tag"] {
            guard let t = tag.stringValue, !t.isEmpty, t.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw .badRequest("Error(s): workflow option bcs_workflow_tag must be letters, digits, _ and - (it is a level of the output tree), got \(tag.canonicalString)")
            }
        }
        if let dir = options["final_workflow_outputs_dir"] {
            guard let d = dir.stringValue, d.hasPrefix("oss://"), d.count > 6 else {
                throw .badRequest("Error(s): workflow option final_workflow_outputs_dir must be an oss:// prefix, got \(dir.canonicalString)")
            }
        }
        for key in ["read_from_cache", "write_to_cache"] {
            if let v = options[key], v.boolValue == nil {
                throw .badRequest("Error(s): workflow option \(key) must be true or false, got \(v.canonicalString)")
            }
        }
        if let d = options["default_runtime_attributes"], d.objectValue == nil {
            throw .badRequest("Error(s): workflow option default_runtime_attributes must be an object, got \(d.canonicalString)")
        }
    }

    /// The options as the runner reads them: `final_workflow_outputs_dir` as a prefix, and the
    /// server's default runtime attributes under the workflow's own (Cromwell's backend
    /// `default-runtime-attributes`, below the options' `default_runtime_attributes`).
    func runnerOptions(defaults: [String: JSONValue]) -> [String: JSONValue] {
        var o = options
        if !defaults.isEmpty {
            o["default_runtime_attributes"] = .object(defaults.merging(o["default_runtime_attributes"]?.objectValue ?? [:]) { _, own in own })
        }
        if let d = o["final_workflow_outputs_dir"]?.stringValue, !d.hasSuffix("/") { o["final_workflow_outputs_dir"] = .string(d + "/") }
        return o
    }

    var tag: String { options["bcs_workflow_tag"]?.stringValue ?? "cromwell" }

    static func object(_ part: MultipartForm.Part, _ what: String) throws(CromwellFailure) -> [String: JSONValue] {
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(part.bytes) } catch {
            throw .badRequest("Error(s): the \(what) (\(part.name)) are not valid JSON: \(error)")
        }
        guard let o = parsed.objectValue else { throw .badRequest("Error(s): the \(what) (\(part.name)) must be a JSON object") }
        return o
    }

    static func labels(_ o: [String: JSONValue]) throws(CromwellFailure) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in o {
            guard let s = v.stringValue else { throw .badRequest("Error(s): label \(k) must have a string value") }
            guard !k.isEmpty, k.count <= 255, s.count <= 255 else { throw .badRequest("Error(s): label keys must be 1-255 characters and values at most 255: \(k)") }
            out[k] = s
        }
        return out
    }
}

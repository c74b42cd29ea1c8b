import BCAPI
import Foundation

/// `GET` and `POST /api/workflows/v1/query`: Cromwell's filters, each repeatable — `id`, `name`,
/// `status`, `label` (`key:value`, all must match), `labelor` (any), `excludeLabelAnd`,
/// `excludeLabelOr`, `submission` and `start` (at or after), `end` (at or before), `page`,
/// `pagesize`, `additionalQueryResultFields` (`labels`).
struct WorkflowQuery: Sendable {
    var ids: Set<String> = []
    var names: Set<String> = []
    var statuses: Set<String> = []
    var labelsAll: [(String, String)] = []
    var labelsAny: [(String, String)] = []
    var excludeAll: [(String, String)] = []
    var excludeAny: [(String, String)] = []
    var submission: Date?
    var start: Date?
    var end: Date?
    var page: Int?
    var pageSize: Int?
    var withLabels = false

    init(_ items: [(String, String)]) throws(CromwellFailure) {
        for (key, value) in items {
            switch key {
            case "id": ids.insert(value.lowercased())
            case "name": names.insert(value)
            case "status":
                guard WorkflowStatus(rawValue: value) != nil else {
                    throw .badRequest("Unrecognized status values: \(value); one of \(WorkflowStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                statuses.insert(value)
            case "label": labelsAll.append(try Self.label(value))
            case "labelor": labelsAny.append(try Self.label(value))
            case "excludeLabelAnd": excludeAll.append(try Self.label(value))
            case "excludeLabelOr": excludeAny.append(try Self.label(value))
            case "submission": submission = try Self.time(key, value)
            case "start": start = try Self.time(key, value)
            case "end": end = try Self.time(key, value)
            case "page": page = try Self.count(key, value)
            case "pagesize": pageSize = try Self.count(key, value)
            case "additionalQueryResultFields": withLabels = withLabels || value == "labels"
            case "includeSubworkflows": break
            default: throw .badRequest("Unrecognized query keys: \(key)")
            }
        }
    }

    /// The POST form: a JSON array of one-key objects, `[{"status": "Running"}, {"label": "a:b"}]`.
    static func items(posted body: [UInt8]) throws(CromwellFailure) -> [(String, String)] {
        guard let array = (try? JSONValue.parse(body))?.arrayValue else {
            throw .badRequest("the query must be a JSON array of objects such as {\"status\": \"Running\"}")
        }
        var out: [(String, String)] = []
        for element in array {
            for (k, v) in element.objectValue ?? [:] {
                guard let s = v.stringValue else { throw .badRequest("query value of \(k) must be a string") }
                out.append((k, s))
            }
        }
        return out
    }

    static func label(_ value: String) throws(CromwellFailure) -> (String, String) {
        guard let colon = value.firstIndex(of: ":") else { throw .badRequest("label \(value) must be key:value") }
        return (String(value[..<colon]), String(value[value.index(after: colon)...]))
    }

    static func time(_ key: String, _ value: String) throws(CromwellFailure) -> Date {
        var text = value
        for offset in ["+00:00", "+0000"] where text.hasSuffix(offset) { text = String(text.dropLast(offset.count)) + "Z" }
        guard let d = WireTime.parse(text) else { throw .badRequest("\(key) \(value) is not an ISO 8601 time such as 2026-12-06T10:00:00.000Z") }
        return d
    }

    static func count(_ key: String, _ value: String) throws(CromwellFailure) -> Int {
        guard let n = Int(value), n >= 1 else { throw .badRequest("\(key) must be a positive integer, got \(value)") }
        return n
    }

    /// One line of the answer.
    struct Result: Codable, Sendable {
        var id: String
        var name: String?
        var status: String
        var submission: String
        var start: String?
        var end: String?
        var labels: [String: String]?
    }

    struct Answer: Codable, Sendable {
        var results: [Result]
        var totalResultsCount: Int
    }

    func matches(_ r: Result, labels: [String: String]) -> Bool {
        func has(_ l: (String, String)) -> Bool { labels[l.0] == l.1 }
        if !ids.isEmpty && !ids.contains(r.id) { return false }
        if !names.isEmpty && !names.contains(r.name ?? "") { return false }
        if !statuses.isEmpty && !statuses.contains(r.status) { return false }
        if !labelsAll.allSatisfy(has) { return false }
        if !labelsAny.isEmpty && !labelsAny.contains(where: has) { return false }
        if !excludeAll.isEmpty && excludeAll.allSatisfy(has) { return false }
        if excludeAny.contains(where: has) { return false }
        if let submission, (WireTime.parse(r.submission) ?? .distantPast) < submission { return false }
        if let start, (r.start.flatMap(WireTime.parse) ?? .distantPast) < start { return false }
        if let end, (r.end.flatMap(WireTime.parse) ?? .distantFuture) > end { return false }
        return true
    }

    /// Newest first, as Cromwell lists them, then the page asked for.
    func answer(_ all: [(Result, [String: String])]) -> Answer {
        var results = all.filter { matches($0.0, labels: $0.1) }.map { r, labels in
            var out = r
            out.labels = withLabels ? labels : nil
            return out
        }
        results.sort { $0.submission > $1.submission }
        let total = results.count
        if let pageSize {
            let from = ((page ?? 1) - 1) * pageSize
            results = from < results.count ? Array(results[from..<min(results.count, from + pageSize)]) : []
        }
        return Answer(results: results, totalResultsCount: total)
    }
}

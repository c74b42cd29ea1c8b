import BCAPI
import Foundation

/// `ListJobs`' query parameters read into the store's `JobQuery`: BatchCompute's (`State`,
/// `ClusterId`, `OrderBy`, `IsReverse`), bcops' `Label`, and bcops' list extensions
/// (JobFilter.swift: several states, `NameContains`, `AppName`, time ranges, `Offset`,
/// `WithCount`). A request with none of the extensions is answered as BatchCompute answers it.
extension JobsAPI {
    static func jobQuery(_ q: [String: String]) throws -> EngineStore.JobQuery {
        var query = EngineStore.JobQuery(states: (q[QueryName.state] ?? "").split(separator: ",").map(String.init),
                                         cluster: q[QueryName.clusterId], labels: try APIServer.labels(q), newestFirst: try newestFirst(q))
        query.nameContains = q[QueryName.nameContains] ?? ""
        query.appName = q[QueryName.appName] ?? ""
        query.createdFrom = try time(q, QueryName.creationTimeFrom).map { $0 - microsecond }
        query.createdTo = try time(q, QueryName.creationTimeTo).map { $0 + microsecond }
        query.endedFrom = try time(q, QueryName.endTimeFrom).map { $0 - microsecond }
        query.endedTo = try time(q, QueryName.endTimeTo).map { $0 + microsecond }
        return query
    }

    /// Wire times are rounded to the microsecond, the stored ones are not: a bound taken from a
    /// job's own `CreationTime` must still include that job.
    static let microsecond = 0.000_001

    /// A wire time (`2026-01-02T03:04:05.000000Z`, the fraction optional), in seconds since 1970.
    static func time(_ q: [String: String], _ name: String) throws -> Double? {
        guard let text = q[name], !text.isEmpty else { return nil }
        guard let date = WireTime.parse(text) else { throw APIError.invalid(name, "expected a time such as 2026-01-02T03:04:05Z, got \(text)") }
        return date.timeIntervalSince1970
    }

    /// `Offset`: how many matching jobs to skip (after `Marker`, if given too).
    static func offset(_ q: [String: String]) throws -> Int {
        guard let text = q[QueryName.offset], !text.isEmpty else { return 0 }
        guard let n = Int(text), n >= 0 else { throw APIError.invalid(QueryName.offset, "expected 0 or a positive integer, got \(text)") }
        return n
    }

    /// `WithCount`: `True` adds `TotalCount`, the number of matching jobs over all pages.
    static func withCount(_ q: [String: String]) throws -> Bool {
        switch q[QueryName.withCount]?.lowercased() {
        case nil, "", "false": return false
        case "true": return true
        case let other?: throw APIError.invalid(QueryName.withCount, "expected True or False, got \(other)")
        }
    }
}

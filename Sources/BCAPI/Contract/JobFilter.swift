import Foundation

/// The filters `ListJobs` takes beside its page. `state`, `labels` and `newestFirst` are what
/// BatchCompute's SDK sends (`State`, `IsReverse`) plus bcops' `Label`; the rest are bcops'
/// extensions for lists that must not read every job to show one page (the dashboard's finished
/// list over 10,000 jobs): several states, a name substring, an App, and time ranges. An SDK
/// that sends none of them gets BatchCompute's answer unchanged.
public struct JobFilter: Sendable, Equatable {
    /// Any of these states; empty: every state.
    public var states: [JobState]
    public var labels: [String: String]
    public var newestFirst: Bool
    /// A substring of the name, compared in any ASCII case (SQLite's LIKE).
    public var nameContains: String
    /// Jobs of this App (`App.AppName`, with or without the `:` of a public App).
    public var appName: String
    /// Creation and end times, each bound inclusive.
    public var createdFrom: Date?
    public var createdTo: Date?
    public var endedFrom: Date?
    public var endedTo: Date?

    public init(state: JobState? = nil, labels: [String: String] = [:], newestFirst: Bool = false) {
        self.init(states: state.map { [$0] } ?? [], labels: labels, newestFirst: newestFirst)
    }

    public init(states: [JobState], labels: [String: String] = [:], newestFirst: Bool = false, nameContains: String = "",
                appName: String = "", createdFrom: Date? = nil, createdTo: Date? = nil, endedFrom: Date? = nil, endedTo: Date? = nil) {
        self.states = states
        self.labels = labels
        self.newestFirst = newestFirst
        self.nameContains = nameContains
        self.appName = appName
        self.createdFrom = createdFrom
        self.createdTo = createdTo
        self.endedFrom = endedFrom
        self.endedTo = endedTo
    }

    /// The one state asked for, as BatchCompute's `State` takes it (nil: any, or several).
    public var state: JobState? {
        get { states.count == 1 ? states[0] : nil }
        set { states = newValue.map { [$0] } ?? [] }
    }

    /// Finished, Failed or Stopped.
    public static let ended: [JobState] = JobState.allCases.filter(\.isEnded)

    /// The query items, in the order the API documents them; an extension only when it is set.
    public var items: [(String, String)] {
        var out: [(String, String)] = []
        if newestFirst { out.append((QueryName.isReverse, "True")) }
        if !states.isEmpty { out.append((QueryName.state, states.map(\.rawValue).joined(separator: ","))) }
        if !labels.isEmpty { out.append((QueryName.label, QueryName.labelSelector(labels))) }
        if !nameContains.isEmpty { out.append((QueryName.nameContains, nameContains)) }
        if !appName.isEmpty { out.append((QueryName.appName, appName)) }
        for (name, time) in [(QueryName.creationTimeFrom, createdFrom), (QueryName.creationTimeTo, createdTo),
                             (QueryName.endTimeFrom, endedFrom), (QueryName.endTimeTo, endedTo)] {
            if let time { out.append((name, WireTime.format(time))) }
        }
        return out
    }
}

/// bcops' numbered pages of `ListJobs`: skip `offset` matching jobs, answer `size` (1 to 1000)
/// and the number of matching jobs (`TotalCount`), so a list can say "page 3 of 500" without
/// walking the markers. `NextMarker` is answered as on any page.
public struct OffsetPage: Sendable, Equatable {
    public var offset: Int
    public var size: Int

    public init(offset: Int, size: Int) {
        self.offset = offset
        self.size = size
    }

    public var items: [(String, String)] {
        [(QueryName.offset, String(offset)), (QueryName.maxItemCount, String(size)), (QueryName.withCount, "True")]
    }
}

/// How many of a job's tasks or instances are in each state: `TaskMetrics` and
/// `InstanceMetrics` on the wire (`WaitingCount`, `RunningCount`, …).
public struct StateCounts: Codable, Sendable, Equatable {
    public var counts: [RunState: Int]

    public init(_ counts: [RunState: Int] = [:]) { self.counts = counts }

    public init<S: Sequence>(counting states: S) where S.Element == RunState {
        var c: [RunState: Int] = [:]
        for s in states { c[s, default: 0] += 1 }
        counts = c
    }

    public subscript(state: RunState) -> Int { counts[state] ?? 0 }
    public var total: Int { counts.values.reduce(0, +) }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        init(_ state: RunState) { stringValue = state.rawValue + "Count" }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        var counts: [RunState: Int] = [:]
        for state in RunState.allCases { counts[state] = try c.decodeIfPresent(Int.self, forKey: Key(state)) ?? 0 }
        self.counts = counts
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for state in RunState.allCases { try c.encode(self[state], forKey: Key(state)) }
    }
}

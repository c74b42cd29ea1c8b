import BCAPI
import GRDB

/// Run states as the store's SQL compares them. The stored values are `RunState`'s raw values;
/// spelling them through the enum keeps one list of them (the migrations, which must not
/// change with the code, keep their literals).
extension EngineStore {
    /// A state as an SQL string literal: `'Waiting'`.
    static func sql(_ state: RunState) -> String { "'\(state.rawValue)'" }

    /// States as an SQL list: `('Waiting', 'Running')`.
    static func sql(_ states: RunState...) -> String { "(" + states.map { sql($0) }.joined(separator: ", ") + ")" }

    /// A job's state, read inside the caller's transaction; `notFound` when there is no such job.
    static func jobState(_ db: Database, _ id: String) throws -> RunState {
        guard let raw = try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound(.job(id))
        }
        guard let state = RunState(rawValue: raw) else { throw StoreError.unreadable("job \(id) has the state \(raw)") }
        return state
    }
}

extension EngineStore.JobRow {
    /// `state` as the contract's enum; a value no engine writes reads as Failed.
    public var runState: RunState { RunState(rawValue: state) ?? .failed }
}

extension EngineStore.TaskRow {
    public var runState: RunState { RunState(rawValue: state) ?? .failed }
}

extension EngineStore.InstanceRow {
    public var runState: RunState { RunState(rawValue: state) ?? .failed }
}

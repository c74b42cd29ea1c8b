import Foundation
import GRDB

/// Plan approvals for the controller's reviewed-plan gate: per workspace and git revision,
/// the content hash of the plan that was reviewed. Recording again replaces the old one.
extension EngineStore {
    public struct Approval: Sendable, Equatable {
        public var workspace: String
        public var revision: String
        public var digest: String
        public var approvedBy: String
        public var created: Date
    }

    public func approve(_ a: Approval) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO approvals (workspace, revision, digest, approved_by, created) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (workspace, revision) DO UPDATE SET digest = excluded.digest, approved_by = excluded.approved_by,
                created = excluded.created
                """, arguments: [a.workspace, a.revision, a.digest, a.approvedBy, a.created.timeIntervalSince1970])
        }
    }

    public func approval(workspace: String, revision: String) throws -> Approval? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM approvals WHERE workspace = ? AND revision = ?", arguments: [workspace, revision]).map {
                Approval(workspace: $0["workspace"], revision: $0["revision"], digest: $0["digest"], approvedBy: $0["approved_by"],
                         created: Date(timeIntervalSince1970: $0["created"]))
            }
        }
    }
}

/// An app as `GetApp` and `ListApps` answer it: the description as created or last modified
/// (BatchCompute echoes it), plus the revision and when that revision was made.
public struct AppStatus: Codable, Sendable, Equatable {
    /// The AppDescription's fields (`Name`, `CommandLine`, `Docker`, `InputParameters`, …).
    public var description: [String: JSONValue]
    public var revision: Int
    public var creationTime: String

    public init(description: [String: JSONValue], revision: Int, creationTime: String) {
        self.description = description; self.revision = revision; self.creationTime = creationTime
    }

    public var name: String { description["Name"]?.stringValue ?? "" }
    public var labels: [String: String] {
        (description["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    enum Keys: String, CodingKey { case revision = "Revision", creationTime = "CreationTime" }

    public init(from decoder: Decoder) throws {
        var all = try [String: JSONValue](from: decoder)
        revision = all.removeValue(forKey: Keys.revision.rawValue)?.intValue ?? 1
        creationTime = all.removeValue(forKey: Keys.creationTime.rawValue)?.stringValue ?? ""
        description = all
    }

    public func encode(to encoder: Encoder) throws {
        var all = description
        all[Keys.revision.rawValue] = .integer(revision)
        all[Keys.creationTime.rawValue] = .string(creationTime)
        try all.encode(to: encoder)
    }
}

/// One revision in an app's history (`GetApp?Revisions`).
public struct AppRevision: Codable, Sendable, Equatable {
    public var revision: Int
    public var updateTime: String
    public init(revision: Int, updateTime: String) { self.revision = revision; self.updateTime = updateTime }
    enum CodingKeys: String, CodingKey { case revision = "Revision", updateTime = "UpdateTime" }
}

/// A VM image as `ListImages` and `GetImage` answer it: BatchCompute's system images, or one a
/// user registered from an ECS image.
public struct ImageStatus: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case system = "System", user = "Self" }

    public var id: String
    public var name: String
    public var type: Kind
    public var description: String
    public var ecsImageId: String
    public var ownerId: Int
    public var platform: String
    public var creationTime: String

    public init(id: String, name: String, type: Kind, description: String = "", ecsImageId: String = "", ownerId: Int = 0,
                platform: String = "", creationTime: String = "") {
        self.id = id; self.name = name; self.type = type; self.description = description; self.ecsImageId = ecsImageId
        self.ownerId = ownerId; self.platform = platform; self.creationTime = creationTime
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", type = "Type", description = "Description", ecsImageId = "EcsImageId"
        case ownerId = "OwnerId", platform = "Platform", creationTime = "CreationTime"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.field(.name, or: "")
        type = try c.field(.type, or: .user)
        description = try c.field(.description, or: "")
        ecsImageId = try c.field(.ecsImageId, or: "")
        ownerId = try c.field(.ownerId, or: 0)
        platform = try c.field(.platform, or: "")
        creationTime = try c.field(.creationTime, or: "")
    }
}

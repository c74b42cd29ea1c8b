/// `POST /images` (`bcs ci`): registers an ECS image as a BatchCompute image.
public struct ImageDescription: Codable, Sendable, Equatable, ClosedRequestBody {
    public var name: String
    public var description: String
    /// `Linux` or `Windows`.
    public var platform: String
    /// The ECS image's id, `m-…`.
    public var ecsImageId: String
    /// The SDK may send the idempotent token in the body as well as in the query.
    public var idempotentToken: String?

    public init(name: String = "", description: String = "", platform: String, ecsImageId: String, idempotentToken: String? = nil) {
        self.name = name; self.description = description; self.platform = platform; self.ecsImageId = ecsImageId
        self.idempotentToken = idempotentToken
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name", description = "Description", platform = "Platform", ecsImageId = "EcsImageId"
        case idempotentToken = "IdempotentToken"
    }

    public static let fields: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.field(.name, or: "")
        description = try c.field(.description, or: "")
        platform = try c.decode(String.self, forKey: .platform)
        ecsImageId = try c.decode(String.self, forKey: .ecsImageId)
        idempotentToken = try c.decodeIfPresent(String.self, forKey: .idempotentToken)
    }
}

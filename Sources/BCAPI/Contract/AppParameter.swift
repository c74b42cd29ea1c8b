/// One of an app's `InputParameters` or `OutputParameters`: its default (an OSS path for a
/// mapped input or an output) and where a node sees it (`LocalPath`), as the app declares it.
public struct AppParameter: Codable, Sendable, Equatable {
    public var type: String?
    public var defaultValue: JSONValue?
    public var localPath: String?
    public var description: String?

    public init(type: String? = nil, defaultValue: JSONValue? = nil, localPath: String? = nil, description: String? = nil) {
        self.type = type; self.defaultValue = defaultValue; self.localPath = localPath; self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", defaultValue = "Default", localPath = "LocalPath", description = "Description"
    }

    /// Read from the app's description JSON (an `AppStatus` keeps it whole); a parameter that is
    /// not an object reads as one without fields.
    init(_ value: JSONValue) {
        let o = value.objectValue ?? [:]
        type = o[CodingKeys.type.rawValue]?.stringValue
        defaultValue = o[CodingKeys.defaultValue.rawValue]
        localPath = o[CodingKeys.localPath.rawValue]?.stringValue
        description = o[CodingKeys.description.rawValue]?.stringValue
    }
}

extension AppStatus {
    public var inputParameters: [String: AppParameter] { parameters("InputParameters") }
    public var outputParameters: [String: AppParameter] { parameters("OutputParameters") }

    func parameters(_ field: String) -> [String: AppParameter] {
        (description[field]?.objectValue ?? [:]).mapValues(AppParameter.init)
    }
}

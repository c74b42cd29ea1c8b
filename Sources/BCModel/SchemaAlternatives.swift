/// Types in which exactly one of several fields must be set (a Job's `tasks` or `app`): the
/// JSON Schema says so with `oneOf` of `required`, as the validator does with a located error.
public protocol SchemaAlternatives {
    /// Each inner list is one alternative's required fields.
    static var exactlyOneOf: [[String]] { get }
}

extension JobSpec: SchemaAlternatives {
    public static let exactlyOneOf = [["tasks"], ["app"]]
}

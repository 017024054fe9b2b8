/// An UpdateModel request's fields as sent; nil: the field was not given.
public struct ModelUpdateInput: Sendable {
    public var id: Int64 = 0
    /// Empty clears.
    public var description: String?
    /// Tags count only with `replaceTags` (an empty list with it clears them).
    public var replaceTags = false
    public var tags: [String] = []
    public var isActive: Bool?
    /// Empty clears.
    public var deploymentConfigJSON: String?
    public var actor = ""

    public init() {}
}

/// A validated UpdateModel request: each field is either kept or set.
public struct ModelUpdate: Sendable, Equatable {
    public var id: Int64
    /// nil: keep; .some(nil): clear.
    public var description: String??
    public var tags: [String]?
    public var isActive: Bool?
    /// nil: keep; .some(nil): clear.
    public var deploymentConfigJSON: String??

    public var changesNothing: Bool {
        description == nil && tags == nil && isActive == nil && deploymentConfigJSON == nil
    }

    public init(validating input: ModelUpdateInput) throws(RegistryRuleError) {
        id = try FieldRules.id(input.id, field: "id")
        if let text = input.description {
            description = .some(try FieldRules.optionalMultilineText(text, field: "description"))
        } else {
            description = nil
        }
        if input.replaceTags {
            tags = try FieldRules.tags(input.tags)
        } else {
            guard input.tags.isEmpty else { throw .invalidField(field: "replace_tags", reason: "must be true when tags are given") }
            tags = nil
        }
        isActive = input.isActive
        if let config = input.deploymentConfigJSON {
            deploymentConfigJSON = .some(try FieldRules.optionalJSONObject(config, field: "deployment_config_json"))
        } else {
            deploymentConfigJSON = nil
        }
        _ = try FieldRules.optionalText(input.actor, field: "actor")
    }
}

/// A RecordUsage request's fields as sent.
public struct UsageInput: Sendable {
    public var modelId: Int64 = 0
    public var kind = ""
    /// Empty: the caller.
    public var actor = ""
    public var detailsJSON = ""

    public init() {}
}

/// A validated RecordUsage request.
public struct NewUsage: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case download
        case deploy
    }

    public var modelId: Int64
    public var kind: Kind
    public var actor: String?
    public var detailsJSON: String?

    /// `subject` (the caller) stands in for an empty actor.
    public init(validating input: UsageInput, subject: String) throws(RegistryRuleError) {
        modelId = try FieldRules.id(input.modelId, field: "model_id")
        guard let kind = Kind(rawValue: input.kind) else {
            throw .invalidField(field: "kind", reason: "must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.kind = kind
        actor = try FieldRules.optionalText(input.actor.isEmpty ? subject : input.actor, field: "actor")
        detailsJSON = try FieldRules.optionalJSONObject(input.detailsJSON, field: "details_json")
    }
}

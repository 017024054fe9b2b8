import Foundation

/// A ListModels request's fields as sent; nil and 0: the filter was not given.
public struct ModelListInput: Sendable {
    public var project = ""
    public var modelType = ""
    public var isActive: Bool?
    public var status: ModelStage?
    public var tags: [String] = []
    public var createdAfterUnixMs: Int64 = 0
    public var search = ""
    public var finetuningJobId: Int64 = 0
    public var skip: Int64 = 0
    /// 0: the default page size.
    public var limit: Int64 = 0

    public init() {}
}

/// A validated ListModels request.
public struct ModelListQuery: Sendable, Equatable {
    public static let defaultLimit: Int64 = 50
    public static let maxLimit: Int64 = 1_000

    public var project: String?
    public var modelType: String?
    public var isActive: Bool?
    public var status: ModelStage?
    /// Every one must be present (nil: no tag filter).
    public var tags: [String]?
    /// Only models created strictly after this millisecond.
    public var createdAfterUnixMs: Int64?
    /// A case-insensitive substring of the name or description, matched
    /// literally (`%` and `_` are no wildcards); trimmed, nil when blank.
    public var search: String?
    /// Only models registered from this job.
    public var finetuningJobId: Int64?
    public var skip: Int64
    public var limit: Int64

    public init(validating input: ModelListInput) throws(RegistryRuleError) {
        project = try FieldRules.optionalText(input.project, field: "project")
        modelType = try FieldRules.optionalText(input.modelType, field: "model_type", max: 100)
        isActive = input.isActive
        status = input.status
        let tags = try FieldRules.tags(input.tags)
        self.tags = tags.isEmpty ? nil : tags
        guard input.createdAfterUnixMs >= 0 else { throw .invalidField(field: "created_after_unix_ms", reason: "must not be negative") }
        createdAfterUnixMs = input.createdAfterUnixMs == 0 ? nil : input.createdAfterUnixMs
        let search = input.search.trimmingCharacters(in: .whitespaces)
        guard search.count <= FieldRules.maxShortText else {
            throw .invalidField(field: "search", reason: "must be at most \(FieldRules.maxShortText) characters")
        }
        self.search = search.isEmpty ? nil : search
        guard input.finetuningJobId >= 0 else { throw .invalidField(field: "finetuning_job_id", reason: "must be a positive id, or 0 for any") }
        finetuningJobId = input.finetuningJobId == 0 ? nil : input.finetuningJobId
        guard input.skip >= 0 else { throw .invalidField(field: "skip", reason: "must be 0 or more") }
        skip = input.skip
        switch input.limit {
        case 0: limit = Self.defaultLimit
        case 1...Self.maxLimit: limit = input.limit
        default: throw .invalidField(field: "limit", reason: "must be between 1 and \(Self.maxLimit)")
        }
    }
}

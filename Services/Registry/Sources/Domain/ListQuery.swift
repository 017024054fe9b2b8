import ServiceKit
import Bus
import Contracts
import Foundation

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
    /// An ILIKE pattern with the user's `%`, `_` and `\` escaped.
    public var searchPattern: String?
    public var skip: Int64
    public var limit: Int64

    public init(validating request: Mlops_V1_Registry_ListModelsRequest) throws(BusError) {
        project = try FieldRules.optionalText(request.project, field: "project")
        modelType = try FieldRules.optionalText(request.modelType, field: "model_type", max: 100)
        isActive = request.hasIsActive ? request.isActive : nil
        switch request.status {
        case .unspecified: status = nil
        case let stage:
            guard let known = ModelStage(proto: stage) else { throw .invalidArgument(field: "status", "unknown stage \(stage.rawValue)") }
            status = known
        }
        let tags = try FieldRules.tags(request.tags)
        self.tags = tags.isEmpty ? nil : tags
        guard request.createdAfterUnixMs >= 0 else { throw .invalidArgument(field: "created_after_unix_ms", "must not be negative") }
        createdAfterUnixMs = request.createdAfterUnixMs == 0 ? nil : request.createdAfterUnixMs
        let search = request.search.trimmingCharacters(in: .whitespaces)
        guard search.count <= FieldRules.maxShortText else { throw .invalidArgument(field: "search", "must be at most \(FieldRules.maxShortText) characters") }
        searchPattern = search.isEmpty ? nil : "%" + Self.escapeLike(search) + "%"
        guard request.skip >= 0 else { throw .invalidArgument(field: "skip", "must be 0 or more") }
        skip = Int64(request.skip)
        switch Int64(request.limit) {
        case 0: limit = Self.defaultLimit
        case 1...Self.maxLimit: limit = Int64(request.limit)
        default: throw .invalidArgument(field: "limit", "must be between 1 and \(Self.maxLimit)")
        }
    }

    /// The shared LIKE escaping (ServiceKit.SQLText).
    public static func escapeLike(_ text: String) -> String { SQLText.escapeLike(text) }
}

import Bus
import Contracts

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
    public init(validating request: Mlops_V1_Registry_RecordUsageRequest, subject: String) throws(BusError) {
        modelId = try FieldRules.id(request.modelID, field: "model_id")
        guard let kind = Kind(rawValue: request.kind) else {
            throw .invalidArgument(field: "kind", "must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.kind = kind
        actor = try FieldRules.optionalText(request.actor.isEmpty ? subject : request.actor, field: "actor")
        detailsJSON = try FieldRules.optionalJSONObject(request.detailsJson, field: "details_json")
    }
}

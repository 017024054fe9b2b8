import Bus
import Contracts

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

    public init(validating request: Mlops_V1_Registry_UpdateModelRequest) throws(BusError) {
        id = try FieldRules.id(request.id, field: "id")
        description = request.hasDescription_p ? .some(try FieldRules.optionalMultilineText(request.description_p, field: "description")) : nil
        if request.replaceTags {
            tags = try FieldRules.tags(request.tags)
        } else {
            guard request.tags.isEmpty else { throw .invalidArgument(field: "replace_tags", "must be true when tags are given") }
            tags = nil
        }
        isActive = request.hasIsActive ? request.isActive : nil
        deploymentConfigJSON = request.hasDeploymentConfigJson
            ? .some(try FieldRules.optionalJSONObject(request.deploymentConfigJson, field: "deployment_config_json"))
            : nil
        _ = try FieldRules.optionalText(request.actor, field: "actor")
    }
}

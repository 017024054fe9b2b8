import Bus
import Contracts
import RegistryDomain

/// RegisterModel, GetModel, ListModels and UpdateModel requests → domain values.
extension NewModel {
    init(validating request: Mlops_V1_Registry_RegisterModelRequest, subject: String) throws(BusError) {
        var input = RegistrationInput()
        input.modelName = request.modelName
        input.version = request.version
        input.baseModel = request.baseModel
        input.finetuningJobId = request.finetuningJobID
        input.project = request.project
        input.modelType = request.modelType
        let format = request.modelFormat == .unspecified ? Mlops_V1_Registry_ModelFormat.standard : request.modelFormat
        guard let formatName = format.name else {
            throw BusError.invalidArgument(field: "model_format", "must be one of \(Mlops_V1_Registry_ModelFormat.namesList)")
        }
        input.modelFormat = formatName
        input.artifactSHA256 = request.artifactSha256
        input.modelPath = request.modelPath
        input.description = request.description_p
        input.tags = request.tags
        input.deploymentConfigJSON = request.deploymentConfigJson
        input.mlflowModelURI = request.mlflowModelUri
        input.createdBy = request.createdBy
        self = try applyingRules { () throws(RegistryRuleError) in try NewModel(validating: input, subject: subject) }
    }
}

/// A validated GetModel request.
struct ModelLookup {
    var id: Int64
    var expansions: Set<Expansion>

    init(validating request: Mlops_V1_Registry_GetModelRequest) throws(BusError) {
        (id, expansions) = try applyingRules { () throws(RegistryRuleError) in
            (try FieldRules.id(request.id, field: "id"), try Expansion.parse(request.expand))
        }
    }
}

extension ModelListQuery {
    init(validating request: Mlops_V1_Registry_ListModelsRequest) throws(BusError) {
        var input = ModelListInput()
        input.project = request.project
        input.modelType = request.modelType
        input.isActive = request.hasIsActive ? request.isActive : nil
        input.status = try ModelStage.filter(request.status)
        input.tags = request.tags
        input.createdAfterUnixMs = request.createdAfterUnixMs
        input.search = request.search
        input.finetuningJobId = request.finetuningJobID
        input.skip = Int64(request.skip)
        input.limit = Int64(request.limit)
        self = try applyingRules { () throws(RegistryRuleError) in try ModelListQuery(validating: input) }
    }
}

extension ModelUpdate {
    init(validating request: Mlops_V1_Registry_UpdateModelRequest) throws(BusError) {
        var input = ModelUpdateInput()
        input.id = request.id
        input.description = request.hasDescription_p ? request.description_p : nil
        input.replaceTags = request.replaceTags
        input.tags = request.tags
        input.isActive = request.hasIsActive ? request.isActive : nil
        input.deploymentConfigJSON = request.hasDeploymentConfigJson ? request.deploymentConfigJson : nil
        input.actor = request.actor
        self = try applyingRules { () throws(RegistryRuleError) in try ModelUpdate(validating: input) }
    }
}

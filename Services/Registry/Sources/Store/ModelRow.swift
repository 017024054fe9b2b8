import Contracts
import PostgresNIO
import RegistryDomain
import ServiceKit

/// The model columns every query selects (alias `m`), and their decoding into the proto.
enum ModelRow {
    /// Times leave the database as unix milliseconds (floored), the proto's unit.
    static let columns = """
        m.id, m.model_name, m.version, m.base_model, m.finetuning_job_id, m.project, m.model_type, \
        m.model_path, m.model_format, m.model_size_gb, m.status, m.is_active, m.deployment_config, \
        m.mlflow_model_uri, m.description, m.tags, m.created_by, \
        floor(extract(epoch FROM m.created_at) * 1000)::int8 AS created_ms, \
        floor(extract(epoch FROM m.updated_at) * 1000)::int8 AS updated_ms, \
        m.artifact_sha256, m.artifact_size_bytes
        """

    static func decode(_ row: PostgresRandomAccessRow) throws -> Mlops_V1_Registry_Model {
        var model = Mlops_V1_Registry_Model()
        model.id = try row["id"].decode(Int64.self)
        model.modelName = try row["model_name"].decode(String.self)
        model.version = try row["version"].decode(String.self)
        model.baseModel = try row["base_model"].decode(String?.self) ?? ""
        model.finetuningJobID = try row["finetuning_job_id"].decode(Int64?.self) ?? 0
        model.project = try row["project"].decode(String?.self) ?? ""
        model.modelType = try row["model_type"].decode(String?.self) ?? ""
        model.modelPath = try row["model_path"].decode(String.self)
        model.modelFormat = try .stored(try row["model_format"].decode(String.self), column: "models.model_format")
        model.modelSizeGb = try row["model_size_gb"].decode(Double?.self) ?? 0
        let status = try row["status"].decode(String.self)
        model.status = ModelStage(rawValue: status)?.proto ?? .unspecified
        model.isActive = try row["is_active"].decode(Bool.self)
        model.deploymentConfigJson = try row["deployment_config"].decode(String?.self) ?? ""
        model.mlflowModelUri = try row["mlflow_model_uri"].decode(String?.self) ?? ""
        model.description_p = try row["description"].decode(String?.self) ?? ""
        model.tags = try row["tags"].decode([String].self)
        model.createdBy = try row["created_by"].decode(String?.self) ?? ""
        model.createdAtUnixMs = try row["created_ms"].decode(Int64.self)
        model.updatedAtUnixMs = try row["updated_ms"].decode(Int64.self)
        if let sha256 = try row["artifact_sha256"].decode(String?.self) {
            model.artifact.sha256 = sha256
            model.artifact.format = model.modelFormat
            model.artifact.sizeBytes = try row["artifact_size_bytes"].decode(Int64?.self) ?? 0
        }
        return model
    }

    static func decodeAll(_ rows: PostgresRowSequence) async throws -> [Mlops_V1_Registry_Model] {
        var models: [Mlops_V1_Registry_Model] = []
        for try await row in rows { models.append(try decode(row.makeRandomAccess())) }
        return models
    }
}

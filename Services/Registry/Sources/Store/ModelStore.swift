import Contracts
import Logging
import PostgresNIO
import RegistryDomain

/// SQL for model rows: insert, read, update. Values are always bound
/// (PostgresQuery interpolation); only fixed column lists are spliced in.
enum ModelStore {
    /// Inserts a staging model with its first stage-history row; nil when
    /// (model_name, version) is taken (a concurrent twin waits for the first to commit).
    static func insert(_ model: NewModel, artifactSizeBytes: Int64?, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Registry_Model? {
        let sha256: String? = if case .blob(let sha256) = model.source { sha256 } else { nil }
        let sizeGB = artifactSizeBytes.map(NewModel.sizeInGB(bytes:))
        let rows = try await connection.query("""
            WITH m AS (
                INSERT INTO registry.model_registry (
                    model_name, version, base_model, finetuning_job_id, project, model_type, model_path,
                    model_format, model_size_gb, deployment_config, mlflow_model_uri, description, tags,
                    created_by, artifact_sha256, artifact_size_bytes)
                VALUES (\(model.modelName), \(model.version), \(model.baseModel)::text, \(model.finetuningJobId)::int8,
                    \(model.project)::text, \(model.modelType)::text, \(model.modelPath), \(model.modelFormat),
                    \(sizeGB)::float8, \(model.deploymentConfigJSON)::jsonb, \(model.mlflowModelURI)::text,
                    \(model.description)::text, \(model.tags)::text[], \(model.createdBy)::text, \(sha256)::text,
                    \(artifactSizeBytes)::int8)
                ON CONFLICT (model_name, version) DO NOTHING
                RETURNING *
            ), history AS (
                INSERT INTO registry.model_stage_history (model_id, from_stage, to_stage, actor, reason)
                SELECT id, NULL, status, created_by, 'registered' FROM m
            )
            SELECT \(unescaped: ModelRow.columns) FROM m
            """, logger: logger)
        return try await ModelRow.decodeAll(rows).first
    }

    static func get(id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Registry_Model? {
        let rows = try await connection.query("SELECT \(unescaped: ModelRow.columns) FROM registry.model_registry m WHERE m.id = \(id)", logger: logger)
        return try await ModelRow.decodeAll(rows).first
    }

    /// Every version of one name, newest first.
    static func versions(of modelName: String, on connection: PostgresConnection, logger: Logger) async throws -> [Mlops_V1_Registry_Model] {
        let rows = try await connection.query("""
            SELECT \(unescaped: ModelRow.columns) FROM registry.model_registry m
            WHERE m.model_name = \(modelName) ORDER BY m.created_at DESC, m.id DESC
            """, logger: logger)
        return try await ModelRow.decodeAll(rows)
    }

    /// Applies the fields the update sets (flags say which); nil when the id is unknown.
    static func update(_ update: ModelUpdate, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Registry_Model? {
        let setsDescription = update.description != nil
        let description = update.description ?? nil
        let setsTags = update.tags != nil
        let tags = update.tags ?? []
        let setsConfig = update.deploymentConfigJSON != nil
        let config = update.deploymentConfigJSON ?? nil
        let rows = try await connection.query("""
            UPDATE registry.model_registry m SET
                description = CASE WHEN \(setsDescription) THEN \(description)::text ELSE m.description END,
                tags = CASE WHEN \(setsTags) THEN \(tags)::text[] ELSE m.tags END,
                is_active = COALESCE(\(update.isActive)::bool, m.is_active),
                deployment_config = CASE WHEN \(setsConfig) THEN \(config)::jsonb ELSE m.deployment_config END,
                updated_at = date_trunc('milliseconds', now())
            WHERE m.id = \(update.id)
            RETURNING \(unescaped: ModelRow.columns)
            """, logger: logger)
        return try await ModelRow.decodeAll(rows).first
    }
}

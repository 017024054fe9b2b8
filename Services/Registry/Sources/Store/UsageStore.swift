import Logging
import PostgresNIO
import RegistryDomain

/// The download/deploy log of models.
enum UsageStore {
    /// Inserts one usage row; nil when the model does not exist.
    static func record(_ usage: NewUsage, on connection: PostgresConnection, logger: Logger) async throws -> Int64? {
        let rows = try await connection.query("""
            INSERT INTO registry.model_usage_log (model_id, kind, actor, details)
            SELECT \(usage.modelId), \(usage.kind.rawValue), \(usage.actor)::text, \(usage.detailsJSON)::jsonb
            WHERE EXISTS (SELECT 1 FROM registry.model_registry WHERE id = \(usage.modelId))
            RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }
}

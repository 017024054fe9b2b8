import Bus
import Contracts
import Logging
import PostgresNIO
import RegistryDomain

/// Stage changes. Every change of one model name runs under a transaction-scoped
/// advisory lock on that name, so concurrent promotes/rollbacks of its versions
/// queue up and the "one production per name" index never sees a race.
enum StageStore {
    /// Key space of the two-int advisory lock ("REGI"): separate from the
    /// single-bigint locks of bootstrap and migrations.
    static let lockNamespace: Int32 = 0x5245_4749

    /// Locks the model's name and returns the model's stage as it is after the lock
    /// (and whether it was ever production); nil for an unknown id.
    static func lockAndRead(id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> (name: String, stage: ModelStage, wasProduction: Bool)? {
        var name: String?
        let lock = try await connection.query("""
            SELECT m.model_name, pg_advisory_xact_lock(\(lockNamespace)::int4, hashtext(m.model_name))::text
            FROM registry.model_registry m WHERE m.id = \(id)
            """, logger: logger)
        for try await (modelName, _) in lock.decode((String, String).self) { name = modelName }
        guard let name else { return nil }
        // A new statement: under READ COMMITTED it sees what the lock's previous holder committed.
        let rows = try await connection.query("""
            SELECT m.status,
                   EXISTS (SELECT 1 FROM registry.model_stage_history h WHERE h.model_id = m.id AND h.to_stage = 'production')
            FROM registry.model_registry m WHERE m.id = \(id)
            """, logger: logger)
        for try await (status, wasProduction) in rows.decode((String, Bool).self) {
            guard let stage = ModelStage(rawValue: status) else { throw BusError.internal("model \(id) has unknown status '\(status)'") }
            return (name, stage, wasProduction)
        }
        return nil
    }

    /// Archives the name's production version(s) other than `exceptId`, with history.
    static func archiveProduction(of name: String, exceptId: Int64, actor: String?, reason: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            WITH archived AS (
                UPDATE registry.model_registry SET status = 'archived', updated_at = date_trunc('milliseconds', now())
                WHERE model_name = \(name) AND status = 'production' AND id <> \(exceptId)
                RETURNING id
            )
            INSERT INTO registry.model_stage_history (model_id, from_stage, to_stage, actor, reason)
            SELECT id, 'production', 'archived', \(actor)::text, \(reason) FROM archived
            """, logger: logger)
    }

    /// Moves one model to `plan.to` and records the change; returns the updated model.
    static func apply(_ plan: StagePlan, id: Int64, actor: String?, reason: String?, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Registry_Model {
        let rows = try await connection.query("""
            WITH m AS (
                UPDATE registry.model_registry SET status = \(plan.to.rawValue), updated_at = date_trunc('milliseconds', now())
                WHERE id = \(id) AND status = \(plan.from.rawValue)
                RETURNING *
            ), history AS (
                INSERT INTO registry.model_stage_history (model_id, from_stage, to_stage, actor, reason)
                SELECT id, \(plan.from.rawValue), status, \(actor)::text, \(reason)::text FROM m
            )
            SELECT \(unescaped: ModelRow.columns) FROM m
            """, logger: logger)
        guard let model = try await ModelRow.decodeAll(rows).first else {
            // The name lock makes this unreachable unless a row changed without it.
            throw BusError.internal("model \(id) changed stage concurrently")
        }
        return model
    }

    /// Stage history of one model, oldest first.
    static func history(of id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> [Mlops_V1_Registry_StageChange] {
        let rows = try await connection.query("""
            SELECT id, model_id, from_stage, to_stage, actor, reason,
                   floor(extract(epoch FROM changed_at) * 1000)::int8
            FROM registry.model_stage_history WHERE model_id = \(id) ORDER BY changed_at, id
            """, logger: logger)
        var changes: [Mlops_V1_Registry_StageChange] = []
        for try await (historyId, modelId, from, to, actor, reason, changedMs) in rows.decode((Int64, Int64, String?, String, String?, String?, Int64).self) {
            var change = Mlops_V1_Registry_StageChange()
            change.id = historyId
            change.modelID = modelId
            change.fromStage = from.flatMap(ModelStage.init(rawValue:))?.proto ?? .unspecified
            change.toStage = ModelStage(rawValue: to)?.proto ?? .unspecified
            change.actor = actor ?? ""
            change.reason = reason ?? ""
            change.changedAtUnixMs = changedMs
            changes.append(change)
        }
        return changes
    }
}

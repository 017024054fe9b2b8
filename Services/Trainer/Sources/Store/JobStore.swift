import Bus
import Contracts
import Foundation
import JSON
import Logging
import PostgresNIO
import ServiceKit
import TrainerDomain

/// SQL for jobs, their checkpoints and metric points. Values are always bound;
/// only fixed column lists are spliced in.
enum JobStore {
    struct NewJob: Sendable {
        var spec: JobSpec
        var datasetVersion: String
        var createdBy: String
        /// The creating request's caller, for the job's later calls (StoredJob.caller).
        var caller: CallerContext
        /// Relative to DATA_ROOT: the job's folder is `trainer/jobs/<id>`, known after insert.
        var jobsDir: String
    }

    /// Inserts a pending job; nil when the name is taken.
    static func insert(_ new: NewJob, on connection: PostgresConnection, logger: Logger) async throws -> StoredJob? {
        let spec = new.spec
        var normalized = spec.normalizedRequest.objectValue ?? [:]
        normalized["dataset_version"] = .string(new.datasetVersion)
        let specJSON = JSONValue(object: normalized).serialized
        let hpJSON = JSONValue(object: spec.hyperparameters.jsonObject).serialized
        // The id is drawn first so the job's folder paths are part of the one insert.
        let rows = try await connection.query("""
            WITH n AS (SELECT nextval('trainer.finetuning_jobs_id_seq') AS id)
            INSERT INTO trainer.finetuning_jobs (id, job_name, base_model, dataset_id, dataset_version, method, hyperparameters,
                spec, priority, gpu_request, status, output_dir, checkpoint_dir, logs_path, created_by, queued_at,
                caller_trace_id, caller_subject, caller_roles)
            SELECT n.id, \(spec.jobName), \(spec.baseModel), \(spec.datasetID), \(new.datasetVersion), \(spec.method.rawValue),
                \(hpJSON)::jsonb, \(specJSON)::jsonb, \(Int32(spec.priority)), \(spec.devices.description), 'pending',
                \(new.jobsDir) || '/' || n.id || '/output', \(new.jobsDir) || '/' || n.id || '/output',
                \(new.jobsDir) || '/' || n.id || '/train.log', \(new.createdBy)::text, date_trunc('milliseconds', now()),
                \(new.caller.traceId), \(new.caller.subject), \(new.caller.roles)
            FROM n
            ON CONFLICT (job_name) DO NOTHING RETURNING id
            """, logger: logger)
        var id: Int64?
        for try await value in rows.decode(Int64.self) { id = value }
        guard let id else { return nil }
        return try await get(id, on: connection, logger: logger)
    }

    static func get(_ id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> StoredJob? {
        let rows = try await connection.query("SELECT \(unescaped: JobRow.columns) FROM \(unescaped: JobRow.from) WHERE j.id = \(id)", logger: logger)
        return try await JobRow.decodeAll(rows).first
    }

    static func get(_ id: Int64, on client: PostgresClient, logger: Logger) async throws -> StoredJob? {
        let rows = try await client.query("SELECT \(unescaped: JobRow.columns) FROM \(unescaped: JobRow.from) WHERE j.id = \(id)", logger: logger)
        return try await JobRow.decodeAll(rows).first
    }

    static func require(_ id: Int64, on client: PostgresClient, logger: Logger) async throws -> StoredJob {
        guard let job = try await get(id, on: client, logger: logger) else { throw BusError.notFound("fine-tuning job \(id) not found") }
        return job
    }

    /// Newest first.
    static func list(status: String?, datasetId: Int64?, datasetVersion: String?, skip: Int, limit: Int,
                     on client: PostgresClient, logger: Logger) async throws -> (items: [StoredJob], total: Int64) {
        let rows = try await client.query("""
            SELECT \(unescaped: JobRow.columns) FROM \(unescaped: JobRow.from)
            WHERE (\(status)::text IS NULL OR j.status = \(status)::text)
              AND (\(datasetId)::int8 IS NULL OR j.dataset_id = \(datasetId)::int8)
              AND (\(datasetVersion)::text IS NULL OR j.dataset_version = \(datasetVersion)::text)
            ORDER BY j.created_at DESC, j.id DESC OFFSET \(Int64(skip)) LIMIT \(Int64(limit))
            """, logger: logger)
        let items = try await JobRow.decodeAll(rows)
        let count = try await client.query("""
            SELECT count(*)::int8 FROM trainer.finetuning_jobs
            WHERE (\(status)::text IS NULL OR status = \(status)::text)
              AND (\(datasetId)::int8 IS NULL OR dataset_id = \(datasetId)::int8)
              AND (\(datasetVersion)::text IS NULL OR dataset_version = \(datasetVersion)::text)
            """, logger: logger)
        var total: Int64 = 0
        for try await value in count.decode(Int64.self) { total = value }
        return (items, total)
    }

    /// Locks the job row and returns its state (for a transition in this transaction).
    static func lockState(_ id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> JobState? {
        let rows = try await connection.query("SELECT status FROM trainer.finetuning_jobs WHERE id = \(id) FOR UPDATE", logger: logger)
        for try await status in rows.decode(String.self) { return JobState(rawValue: status) }
        return nil
    }

    // MARK: - Transitions (callers hold the row lock and checked JobState)

    static func markQueued(_ id: Int64, trainFile: String, valFile: String?, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE trainer.finetuning_jobs SET status = 'queued', train_file = \(trainFile), val_file = \(valFile)::text,
                status_reason = 'waiting for a device', updated_at = now()
            WHERE id = \(id)
            """, logger: logger)
    }

    /// stopped (before running) or failed; clears the owner.
    static func finish(_ id: Int64, state: JobState, reason: String, errorMessage: String? = nil, errorField: String? = nil,
                       resultJSON: String? = nil, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE trainer.finetuning_jobs SET status = \(state.rawValue), status_reason = \(reason),
                error_message = \(errorMessage)::text, error_field = \(errorField)::text,
                result = COALESCE(\(resultJSON)::jsonb, result), owner = NULL,
                end_time = now(), updated_at = now()
            WHERE id = \(id)
            """, logger: logger)
    }

    static func markStopping(_ id: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE trainer.finetuning_jobs SET status = 'stopping', status_reason = 'stop requested: saving a checkpoint', updated_at = now()
            WHERE id = \(id)
            """, logger: logger)
    }

    /// Back in the queue (resume by a user, or a lost lease): the next run resumes from `resumeFrom`.
    /// A lost lease keeps the job's queue age and caller; a user's resume queues it anew, for that user's request.
    static func requeue(_ id: Int64, resumeFrom: String?, reason: String, keepAge: Bool, caller: CallerContext? = nil,
                        on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE trainer.finetuning_jobs SET status = 'queued', resume_from = \(resumeFrom)::text, status_reason = \(reason),
                owner = NULL, error_message = NULL, error_field = NULL, end_time = NULL,
                caller_trace_id = COALESCE(\(caller?.traceId)::text, caller_trace_id),
                caller_subject = COALESCE(\(caller?.subject)::text, caller_subject),
                caller_roles = COALESCE(\(caller?.roles)::text[], caller_roles),
                queued_at = CASE WHEN \(keepAge) THEN queued_at ELSE date_trunc('milliseconds', now()) END, updated_at = now()
            WHERE id = \(id)
            """, logger: logger)
    }

    /// The split files a run reads (exported again when a run finds them gone).
    static func setTrainingFiles(_ id: Int64, trainFile: String, valFile: String?, on client: PostgresClient, logger: Logger) async throws {
        try await client.query("UPDATE trainer.finetuning_jobs SET train_file = \(trainFile), val_file = \(valFile)::text WHERE id = \(id)", logger: logger)
    }

    static func setMLflowRun(_ id: Int64, runID: String, on client: PostgresClient, logger: Logger) async throws {
        try await client.query("UPDATE trainer.finetuning_jobs SET mlflow_run_id = \(runID) WHERE id = \(id)", logger: logger)
    }

    static func setProgress(_ id: Int64, step: Int, total: Int?, epoch: Double?, on client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            UPDATE trainer.finetuning_jobs SET step = \(Int64(step)), total_steps = COALESCE(\(total.map(Int64.init))::int8, total_steps),
                epoch = COALESCE(\(epoch)::float8, epoch), updated_at = now()
            WHERE id = \(id)
            """, logger: logger)
    }

    // MARK: - Metrics and checkpoints

    static func insertMetrics(_ id: Int64, _ m: RunnerEvent.Metrics, step: Int, on client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            INSERT INTO trainer.training_metrics (job_id, step, epoch, loss, eval_loss, perplexity, learning_rate, grad_norm,
                tokens_per_second, gpu_memory_gb)
            VALUES (\(id), \(Int64(step)), \(m.epoch)::float8, \(m.loss)::float8, \(m.evalLoss)::float8, \(m.perplexity)::float8,
                \(m.learningRate)::float8, \(m.gradNorm)::float8, \(m.tokensPerSecond)::float8, \(m.gpuMemoryGB)::float8)
            """, logger: logger)
    }

    static func metrics(_ id: Int64, on client: PostgresClient, logger: Logger) async throws -> [Mlops_V1_Trainer_MetricPoint] {
        let rows = try await client.query("""
            SELECT step, epoch, loss, eval_loss, perplexity, learning_rate, grad_norm, tokens_per_second, gpu_memory_gb,
                floor(extract(epoch FROM recorded_at) * 1000)::int8
            FROM trainer.training_metrics WHERE job_id = \(id) ORDER BY id
            """, logger: logger)
        var points: [Mlops_V1_Trainer_MetricPoint] = []
        for try await (step, epoch, loss, evalLoss, ppl, lr, grad, tps, gpu, ms) in rows.decode((Int64, Double?, Double?, Double?, Double?, Double?, Double?, Double?, Double?, Int64).self) {
            var p = Mlops_V1_Trainer_MetricPoint()
            p.step = step
            if let epoch { p.epoch = epoch }
            if let loss { p.loss = loss }
            if let evalLoss { p.evalLoss = evalLoss }
            if let ppl { p.perplexity = ppl }
            if let lr { p.learningRate = lr }
            if let grad { p.gradNorm = grad }
            if let tps { p.tokensPerSecond = tps }
            if let gpu { p.gpuMemoryGb = gpu }
            p.timeUnixMs = ms
            points.append(p)
        }
        return points
    }

    static func upsertCheckpoint(_ id: Int64, _ c: RunnerEvent.Checkpoint, metricsJSON: String, on client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            INSERT INTO trainer.training_checkpoints (job_id, checkpoint_name, step, epoch, metrics, file_path, size_bytes)
            VALUES (\(id), \(c.name), \(Int64(c.step)), \(c.epoch)::float8, \(metricsJSON)::jsonb, \(c.path), \(c.size)::int8)
            ON CONFLICT (job_id, step) DO UPDATE SET file_path = EXCLUDED.file_path, size_bytes = EXCLUDED.size_bytes,
                epoch = EXCLUDED.epoch, metrics = EXCLUDED.metrics, created_at = date_trunc('milliseconds', now())
            """, logger: logger)
    }

    static func checkpoints(_ id: Int64, on client: PostgresClient, logger: Logger) async throws -> [Mlops_V1_Trainer_Checkpoint] {
        let rows = try await client.query("""
            SELECT id, checkpoint_name, step, epoch, metrics::text, file_path, size_bytes, floor(extract(epoch FROM created_at) * 1000)::int8
            FROM trainer.training_checkpoints WHERE job_id = \(id) ORDER BY step
            """, logger: logger)
        var out: [Mlops_V1_Trainer_Checkpoint] = []
        for try await (cid, name, step, epoch, metrics, path, size, ms) in rows.decode((Int64, String, Int64, Double?, String, String, Int64?, Int64).self) {
            var c = Mlops_V1_Trainer_Checkpoint()
            c.id = cid
            c.jobID = id
            c.checkpointName = name
            c.step = step
            c.epoch = epoch ?? 0
            c.metricsJson = metrics
            c.filePath = path
            c.sizeBytes = size ?? 0
            c.createdAtUnixMs = ms
            out.append(c)
        }
        return out
    }
}

extension JobStore {
    /// Locks the job row; its state and the instance supervising it.
    static func lockStateAndOwner(_ id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> (JobState, String?)? {
        let rows = try await connection.query("SELECT status, owner FROM trainer.finetuning_jobs WHERE id = \(id) FOR UPDATE", logger: logger)
        for try await (status, owner) in rows.decode((String, String?).self) {
            guard let state = JobState(rawValue: status) else { return nil }
            return (state, owner)
        }
        return nil
    }

    /// Jobs this instance supervises that a user asked to stop.
    static func stopRequests(owner: String, on client: PostgresClient, logger: Logger) async throws -> [Int64] {
        let rows = try await client.query("SELECT id FROM trainer.finetuning_jobs WHERE owner = \(owner) AND status = 'stopping'", logger: logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    /// Pending jobs, oldest first.
    static func pendingJobs(limit: Int, on client: PostgresClient, logger: Logger) async throws -> [Int64] {
        let rows = try await client.query("""
            SELECT id FROM trainer.finetuning_jobs WHERE status = 'pending' ORDER BY id LIMIT \(Int64(limit))
            """, logger: logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }
}

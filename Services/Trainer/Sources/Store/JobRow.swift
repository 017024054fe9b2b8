import Contracts
import Foundation
import PostgresNIO
import ServiceKit
import TrainerDomain

/// A job as stored: the API's view plus what the supervisor needs to run it.
struct StoredJob: Sendable {
    var proto: Mlops_V1_Trainer_Job
    /// The normalized request (JobSpec.normalizedRequest) as JSON text.
    var specJSON: String
    var trainFile: String?
    var valFile: String?
    var owner: String?
    var queuedAtMs: Int64?
    /// Whom the job's later calls to other services are made for: the caller of
    /// the request that created or last resumed it (no deadline: that request is answered).
    var caller: CallerContext

    var id: Int64 { proto.id }
    var state: JobState? { JobState(proto.status) }

    /// The validated spec; the stored request always validates (it was validated on the way in).
    func spec() throws -> JobSpec {
        try JobSpecValidation.validate(json: Data(specJSON.utf8))
    }
}

/// The job columns every query selects (alias `j`, with its latest metric
/// point `m` joined laterally), and their decoding.
enum JobRow {
    static let columns = """
        j.id, j.job_name, j.base_model, j.dataset_id, j.dataset_version, j.method, j.hyperparameters::text AS hp, \
        j.spec::text AS spec, j.priority, j.gpu_request, j.gpu_ids, j.status, j.status_reason, j.error_message, \
        j.error_field, j.mlflow_run_id, j.output_dir, j.checkpoint_dir, j.logs_path, j.train_file, j.val_file, \
        j.resume_from, j.owner, j.attempts, j.step, j.total_steps, j.epoch, j.result::text AS result, j.created_by, \
        j.caller_trace_id, j.caller_subject, j.caller_roles, \
        floor(extract(epoch FROM j.created_at) * 1000)::int8 AS created_ms, \
        floor(extract(epoch FROM j.queued_at) * 1000)::int8 AS queued_ms, \
        floor(extract(epoch FROM j.start_time) * 1000)::int8 AS start_ms, \
        floor(extract(epoch FROM j.end_time) * 1000)::int8 AS end_ms, \
        m.step AS m_step, m.epoch AS m_epoch, m.loss AS m_loss, m.eval_loss AS m_eval_loss, \
        m.perplexity AS m_perplexity, m.learning_rate AS m_learning_rate, m.grad_norm AS m_grad_norm, \
        m.tokens_per_second AS m_tps, m.gpu_memory_gb AS m_gpu, \
        floor(extract(epoch FROM m.recorded_at) * 1000)::int8 AS m_ms
        """
    static let from = """
        trainer.finetuning_jobs j LEFT JOIN LATERAL (
            SELECT * FROM trainer.training_metrics x WHERE x.job_id = j.id ORDER BY x.id DESC LIMIT 1
        ) m ON true
        """

    static func decode(_ row: PostgresRandomAccessRow) throws -> StoredJob {
        var job = Mlops_V1_Trainer_Job()
        job.id = try row["id"].decode(Int64.self)
        job.jobName = try row["job_name"].decode(String.self)
        job.baseModel = try row["base_model"].decode(String.self)
        job.datasetID = try row["dataset_id"].decode(Int64.self)
        job.datasetVersion = try row["dataset_version"].decode(String.self)
        job.method = try row["method"].decode(String.self)
        job.hyperparametersJson = try row["hp"].decode(String.self)
        job.priority = try row["priority"].decode(Int32.self)
        job.gpuRequest = try row["gpu_request"].decode(String.self)
        job.gpuIds = (try row["gpu_ids"].decode(String?.self) ?? "").split(separator: ",").map(String.init)
        job.status = try JobState.stored(try row["status"].decode(String.self)).proto
        job.statusReason = try row["status_reason"].decode(String?.self) ?? ""
        job.errorMessage = try row["error_message"].decode(String?.self) ?? ""
        job.errorField = try row["error_field"].decode(String?.self) ?? ""
        job.mlflowRunID = try row["mlflow_run_id"].decode(String?.self) ?? ""
        job.outputDir = try row["output_dir"].decode(String.self)
        job.checkpointDir = try row["checkpoint_dir"].decode(String.self)
        job.logsPath = try row["logs_path"].decode(String.self)
        job.resumeFrom = try row["resume_from"].decode(String?.self) ?? ""
        job.attempts = try row["attempts"].decode(Int32.self)
        job.progress.step = try row["step"].decode(Int64.self)
        job.progress.total = try row["total_steps"].decode(Int64.self)
        job.progress.epoch = try row["epoch"].decode(Double.self)
        job.resultJson = try row["result"].decode(String?.self) ?? ""
        job.createdBy = try row["created_by"].decode(String?.self) ?? ""
        job.createdAtUnixMs = try row["created_ms"].decode(Int64.self)
        job.startTimeUnixMs = try row["start_ms"].decode(Int64?.self) ?? 0
        job.endTimeUnixMs = try row["end_ms"].decode(Int64?.self) ?? 0
        if let step = try row["m_step"].decode(Int64?.self) {
            var point = Mlops_V1_Trainer_MetricPoint()
            point.step = step
            if let v = try row["m_epoch"].decode(Double?.self) { point.epoch = v }
            if let v = try row["m_loss"].decode(Double?.self) { point.loss = v }
            if let v = try row["m_eval_loss"].decode(Double?.self) { point.evalLoss = v }
            if let v = try row["m_perplexity"].decode(Double?.self) { point.perplexity = v }
            if let v = try row["m_learning_rate"].decode(Double?.self) { point.learningRate = v }
            if let v = try row["m_grad_norm"].decode(Double?.self) { point.gradNorm = v }
            if let v = try row["m_tps"].decode(Double?.self) { point.tokensPerSecond = v }
            if let v = try row["m_gpu"].decode(Double?.self) { point.gpuMemoryGb = v }
            point.timeUnixMs = try row["m_ms"].decode(Int64?.self) ?? 0
            job.latestMetrics = point
        }
        return StoredJob(
            proto: job, specJSON: try row["spec"].decode(String.self),
            trainFile: try row["train_file"].decode(String?.self), valFile: try row["val_file"].decode(String?.self),
            owner: try row["owner"].decode(String?.self), queuedAtMs: try row["queued_ms"].decode(Int64?.self),
            caller: CallerContext(traceId: try row["caller_trace_id"].decode(String.self), subject: try row["caller_subject"].decode(String.self),
                                  roles: try row["caller_roles"].decode([String].self))
        )
    }

    static func decodeAll(_ rows: PostgresRowSequence) async throws -> [StoredJob] {
        var out: [StoredJob] = []
        for try await row in rows { out.append(try decode(row.makeRandomAccess())) }
        return out
    }
}

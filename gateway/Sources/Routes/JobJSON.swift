import Contracts
import JSON

/// Trainer protos → REST JSON (gateway/API.md), written straight into the buffer.
enum JobJSON {
    static func write(_ job: Mlops_V1_Trainer_Job, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.int(job.id)
        w.key("job_name"); w.string(job.jobName)
        w.key("base_model"); w.string(job.baseModel)
        w.key("dataset_id"); w.int(job.datasetID)
        w.key("dataset_version"); w.string(job.datasetVersion)
        w.key("method"); w.string(job.method)
        w.key("hyperparameters"); w.raw(job.hyperparametersJson.isEmpty ? "{}" : job.hyperparametersJson)
        w.key("priority"); w.int(job.priority)
        w.key("gpu_request"); w.string(job.gpuRequest)
        w.key("gpu_ids"); w.strings(job.gpuIds)
        w.key("status"); w.stringOrNull(job.status.name ?? "")
        w.key("status_reason"); w.stringOrNull(job.statusReason)
        w.key("error")
        if job.errorMessage.isEmpty { w.null() } else {
            w.beginObject()
            w.key("message"); w.string(job.errorMessage)
            w.key("field"); w.stringOrNull(job.errorField)
            w.endObject()
        }
        w.key("progress")
        w.beginObject()
        w.key("step"); w.int(job.progress.step)
        w.key("total")
        if job.progress.total > 0 { w.int(job.progress.total) } else { w.null() }
        w.key("epoch"); w.double(job.progress.epoch)
        w.key("fraction")
        if job.progress.total > 0 { w.double(min(1, Double(job.progress.step) / Double(job.progress.total))) } else { w.null() }
        w.endObject()
        w.key("latest_metrics")
        if job.hasLatestMetrics { writePoint(job.latestMetrics, into: &w) } else { w.null() }
        w.key("mlflow_run_id"); w.stringOrNull(job.mlflowRunID)
        w.key("output_dir"); w.string(job.outputDir)
        w.key("checkpoint_dir"); w.string(job.checkpointDir)
        w.key("logs_path"); w.string(job.logsPath)
        w.key("resume_from"); w.stringOrNull(job.resumeFrom)
        w.key("result")
        if job.resultJson.isEmpty { w.null() } else { w.raw(job.resultJson) }
        w.key("attempts"); w.int(job.attempts)
        w.key("created_by"); w.stringOrNull(job.createdBy)
        w.key("created_at"); w.timestamp(unixMs: job.createdAtUnixMs)
        w.key("start_time")
        if job.startTimeUnixMs > 0 { w.timestamp(unixMs: job.startTimeUnixMs) } else { w.null() }
        w.key("end_time")
        if job.endTimeUnixMs > 0 { w.timestamp(unixMs: job.endTimeUnixMs) } else { w.null() }
        w.endObject()
    }

    static func writePoint(_ p: Mlops_V1_Trainer_MetricPoint, into w: inout JSONWriter) {
        func number(_ has: Bool, _ value: Double) { if has { w.double(value) } else { w.null() } }
        w.beginObject()
        w.key("step"); w.int(p.step)
        w.key("epoch"); number(p.hasEpoch, p.epoch)
        w.key("loss"); number(p.hasLoss, p.loss)
        w.key("eval_loss"); number(p.hasEvalLoss, p.evalLoss)
        w.key("perplexity"); number(p.hasPerplexity, p.perplexity)
        w.key("learning_rate"); number(p.hasLearningRate, p.learningRate)
        w.key("grad_norm"); number(p.hasGradNorm, p.gradNorm)
        w.key("tokens_per_second"); number(p.hasTokensPerSecond, p.tokensPerSecond)
        w.key("gpu_memory_gb"); number(p.hasGpuMemoryGb, p.gpuMemoryGb)
        w.key("time"); w.timestamp(unixMs: p.timeUnixMs)
        w.endObject()
    }

    static func writeCheckpoint(_ c: Mlops_V1_Trainer_Checkpoint, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.int(c.id)
        w.key("job_id"); w.int(c.jobID)
        w.key("checkpoint_name"); w.string(c.checkpointName)
        w.key("step"); w.int(c.step)
        w.key("epoch"); w.double(c.epoch)
        w.key("metrics"); w.raw(c.metricsJson.isEmpty ? "{}" : c.metricsJson)
        w.key("file_path"); w.string(c.filePath)
        w.key("size_bytes"); w.int(c.sizeBytes)
        w.key("created_at"); w.timestamp(unixMs: c.createdAtUnixMs)
        w.endObject()
    }

    static func writeDevice(_ d: Mlops_V1_Trainer_Device, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(d.id)
        w.key("kind"); w.string(d.kind)
        w.key("name"); w.string(d.name)
        w.key("memory_total_mib"); if d.hasMemoryTotalMib { w.int(d.memoryTotalMib) } else { w.null() }
        w.key("memory_used_mib"); if d.hasMemoryUsedMib { w.int(d.memoryUsedMib) } else { w.null() }
        w.key("utilization_percent"); if d.hasUtilizationPercent { w.int(d.utilizationPercent) } else { w.null() }
        w.key("reported_by"); w.string(d.reportedBy)
        w.key("reported_at"); w.timestamp(unixMs: d.reportedAtUnixMs)
        w.key("lease")
        if d.hasLease {
            w.beginObject()
            w.key("job_id"); w.int(d.lease.jobID)
            w.key("holder"); w.string(d.lease.holder)
            w.key("acquired_at"); w.timestamp(unixMs: d.lease.acquiredAtUnixMs)
            w.key("expires_at"); w.timestamp(unixMs: d.lease.expiresAtUnixMs)
            w.endObject()
        } else { w.null() }
        w.endObject()
    }
}

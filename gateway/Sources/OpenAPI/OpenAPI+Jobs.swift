import Contracts
import JSON
import TrainerDomain

/// The fine-tuning job and device schemas of the OpenAPI document.
extension OpenAPI {
    static func jobSchemas() -> [(String, JSONValue)] {
        let int64 = type("integer", ("format", s("int64")))
        let nullableNumber = type("number", nullable: true)
        let statuses = obj(("type", s("string")), ("enum", .array(Mlops_V1_Trainer_JobStatus.names.map(s))))
        let point = object([("step", type("integer")), ("epoch", nullableNumber), ("loss", nullableNumber), ("eval_loss", nullableNumber),
                            ("perplexity", nullableNumber), ("learning_rate", nullableNumber), ("grad_norm", nullableNumber),
                            ("tokens_per_second", nullableNumber), ("gpu_memory_gb", nullableNumber), ("time", dateTime)],
                           required: ["step", "time"])
        let hyperparameters = withMaximums(object([
            ("lora_rank", type("integer", ("minimum", .int(1)))), ("lora_alpha", type("number", ("exclusiveMinimum", .int(0)))),
            ("lora_dropout", type("number", ("minimum", .int(0)), ("exclusiveMaximum", .int(1)))),
            ("learning_rate", type("number", ("exclusiveMinimum", .int(0)))), ("batch_size", type("integer", ("minimum", .int(1)))),
            ("gradient_accumulation_steps", type("integer", ("minimum", .int(1)))), ("num_epochs", type("number", ("exclusiveMinimum", .int(0)))),
            ("max_steps", type("integer", nullable: true, ("minimum", .int(1)))), ("warmup_steps", type("integer", ("minimum", .int(0)))),
            ("max_seq_length", type("integer", ("minimum", .int(1)))), ("save_steps", type("integer", ("minimum", .int(1)))),
            ("save_total_limit", type("integer", nullable: true, ("minimum", .int(1)))), ("eval_steps", type("integer", nullable: true, ("minimum", .int(1)))),
            ("eval_on_start", type("boolean")), ("early_stopping_patience", type("integer", nullable: true, ("minimum", .int(1)))),
            ("logging_steps", type("integer", ("minimum", .int(1)))), ("seed", type("integer", ("minimum", .int(0)))),
            ("weight_decay", type("number", ("minimum", .int(0)))), ("max_grad_norm", type("number", ("exclusiveMinimum", .int(0)))),
            ("lr_scheduler_type", type("string")), ("gradient_checkpointing", type("boolean", nullable: true)),
        ], required: []))
        return [
            ("FinetuningJobCreate", object([
                ("job_name", type("string", ("minLength", .int(1)), ("maxLength", .int(255)))),
                ("base_model", type("string", ("minLength", .int(1)), ("maxLength", .int(255)), ("description", s("a model folder under DATA_ROOT/models, e.g. Qwen/Qwen3-7B-Instruct")))),
                ("dataset_id", type("integer", ("minimum", .int(1)))),
                ("dataset_version", type("string", nullable: true, ("pattern", s("^[A-Za-z0-9._-]{1,50}$")))),
                ("method", obj(("type", s("string")), ("enum", .array(["full", "lora", "qlora"].map(s))))),
                ("hyperparameters", hyperparameters),
                ("gpu_ids", obj(("description", s("\"0,1\", [0, 1] or [\"gpu0\", \"cpu1\"]; or give gpu_count")))),
                ("gpu_count", type("integer", ("minimum", .int(1)))),
                ("priority", type("integer", ("minimum", .int(-100)), ("maximum", .int(100)))),
            ], required: ["job_name", "base_model", "dataset_id", "method"])),
            ("FinetuningJobResume", object([("checkpoint_id", type("integer", ("minimum", .int(1))))], required: [])),
            ("FinetuningJob", object([
                ("id", int64), ("job_name", type("string")), ("base_model", type("string")), ("dataset_id", int64), ("dataset_version", type("string")),
                ("method", type("string")), ("hyperparameters", anyObject), ("priority", type("integer")), ("gpu_request", type("string")),
                ("gpu_ids", array(type("string"))), ("status", statuses), ("status_reason", type("string", nullable: true)),
                ("error", obj(("oneOf", .array([object([("message", type("string")), ("field", type("string", nullable: true))], required: ["message"]), type("null")])))),
                ("progress", object([("step", type("integer")), ("total", type("integer", nullable: true)), ("epoch", type("number")),
                                     ("fraction", nullableNumber)], required: ["step", "total", "epoch", "fraction"])),
                ("latest_metrics", obj(("oneOf", .array([ref("MetricPoint"), type("null")])))),
                ("mlflow_run_id", type("string", nullable: true)), ("output_dir", type("string")), ("checkpoint_dir", type("string")),
                ("logs_path", type("string")), ("resume_from", type("string", nullable: true)), ("result", type("object", nullable: true)),
                ("attempts", type("integer")), ("created_by", type("string", nullable: true)), ("created_at", dateTime),
                ("start_time", nullableDateTime), ("end_time", nullableDateTime),
            ], required: ["id", "job_name", "base_model", "dataset_id", "method", "status", "progress", "created_at"])),
            ("MetricPoint", point),
            ("FinetuningJobLogs", object([("job_id", int64), ("lines", array(type("string")))], required: ["job_id", "lines"])),
            ("FinetuningJobMetrics", object([("job_id", int64), ("points", array(ref("MetricPoint")))], required: ["job_id", "points"])),
            ("Checkpoint", object([("id", int64), ("job_id", int64), ("checkpoint_name", type("string")), ("step", type("integer")), ("epoch", type("number")),
                                   ("metrics", anyObject), ("file_path", type("string")), ("size_bytes", type("integer")), ("created_at", dateTime)],
                                  required: ["id", "job_id", "checkpoint_name", "step", "file_path", "created_at"])),
            ("DeviceList", object([("devices", array(object([
                ("id", type("string")), ("kind", obj(("type", s("string")), ("enum", .array([s("gpu"), s("cpu")])))), ("name", type("string")),
                ("memory_total_mib", type("integer", nullable: true)), ("memory_used_mib", type("integer", nullable: true)),
                ("utilization_percent", type("integer", nullable: true)), ("reported_by", type("string")), ("reported_at", dateTime),
                ("lease", obj(("oneOf", .array([object([("job_id", int64), ("holder", type("string")), ("acquired_at", dateTime), ("expires_at", dateTime)],
                                                        required: ["job_id", "holder", "expires_at"]), type("null")])))),
            ], required: ["id", "kind", "name", "lease"])))], required: ["devices"])),
        ]
    }

    /// Each numeric hyperparameter's upper bound, from the trainer's one table (lora_dropout's is exclusive, already there).
    private static func withMaximums(_ schema: JSONValue) -> JSONValue {
        guard case .object(var members) = schema, let index = members.firstIndex(where: { $0.0 == "properties" }),
              case .object(let properties) = members[index].1 else { return schema }
        members[index].1 = .object(properties.map { name, property in
            guard let maximum = Hyperparameters.maximum[name], name != "lora_dropout", case .object(var fields) = property else { return (name, property) }
            fields.append(("maximum", maximum == maximum.rounded() ? .int(Int64(maximum)) : .double(maximum)))
            return (name, .object(fields))
        })
        return .object(members)
    }
}

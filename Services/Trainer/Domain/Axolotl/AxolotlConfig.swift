/// Exports a job as an Axolotl config (seed 003 §4.2 names Axolotl; teams
/// that use it can re-run a job with `axolotl train config.yml`). The trainer
/// itself runs `mlops_ml`; this is an export, with the same settings:
///
/// - `datasets` / `test_datasets`: the JSONL split files, `ds_type: json`,
///   `type: chat_template`, `field_messages: messages` (our sample format),
///   with the tokenizer's own template (`chat_template: tokenizer_default`)
///   and loss on assistant turns only (`train_on_inputs: false`). No
///   validation file → `val_set_size: 0` and no evaluation keys.
/// - `adapter: lora` / `qlora` (+ `load_in_4bit: true`) with `lora_r`,
///   `lora_alpha`, `lora_dropout`, `lora_target_linear: true` (LoRA on all
///   linear layers, like the runner); nothing of that for `full`.
/// - `batch_size` → `micro_batch_size`, `max_seq_length` → `sequence_len`,
///   `lr_scheduler_type` → `lr_scheduler`; optional keys only when set.
///
/// Strings (paths, model, job name) are always double-quoted YAML.
public enum AxolotlConfig {
    public static func render(_ spec: JobSpec, paths: JobPaths) -> String {
        let h = spec.hyperparameters
        var lines: [String] = [
            "# Axolotl config exported by the trainer: job \(YAMLScalar.quoted(spec.jobName)), method \(spec.method.rawValue)",
            "# Paths are relative to the platform's DATA_ROOT: run axolotl from there.",
            "base_model: \(YAMLScalar.quoted(paths.baseModel))",
            "datasets:",
        ]
        lines += datasetEntry(paths.trainFile, split: nil)
        if let valFile = paths.valFile {
            lines.append("test_datasets:")
            lines += datasetEntry(valFile, split: "train")
        } else {
            lines.append("val_set_size: 0")
        }
        lines += [
            "chat_template: tokenizer_default",
            "train_on_inputs: false",
        ]
        if spec.method.usesAdapter {
            lines.append("adapter: \(spec.method.rawValue)")
            if spec.method == .qlora { lines.append("load_in_4bit: true") }
            lines += [
                "lora_r: \(h.loraRank)",
                "lora_alpha: \(YAMLScalar.number(h.loraAlpha))",
                "lora_dropout: \(YAMLScalar.number(h.loraDropout))",
                "lora_target_linear: true",
            ]
        }
        lines += [
            "sequence_len: \(h.maxSeqLength)",
            "micro_batch_size: \(h.batchSize)",
            "gradient_accumulation_steps: \(h.gradientAccumulationSteps)",
            "num_epochs: \(YAMLScalar.number(h.numEpochs))",
        ]
        if let maxSteps = h.maxSteps { lines.append("max_steps: \(maxSteps)") }
        lines += [
            "learning_rate: \(YAMLScalar.number(h.learningRate))",
            "lr_scheduler: \(h.lrSchedulerType.rawValue)",
            "warmup_steps: \(h.warmupSteps)",
            "weight_decay: \(YAMLScalar.number(h.weightDecay))",
            "max_grad_norm: \(YAMLScalar.number(h.maxGradNorm))",
        ]
        if let checkpointing = h.gradientCheckpointing {
            lines.append("gradient_checkpointing: \(YAMLScalar.bool(checkpointing))")
        }
        lines.append("save_steps: \(h.saveSteps)")
        if let limit = h.saveTotalLimit { lines.append("save_total_limit: \(limit)") }
        if paths.valFile != nil {
            if let evalSteps = h.evalSteps { lines.append("eval_steps: \(evalSteps)") }
            if let patience = h.earlyStoppingPatience { lines.append("early_stopping_patience: \(patience)") }
        }
        lines += [
            "logging_steps: \(h.loggingSteps)",
            "seed: \(h.seed)",
            "bf16: auto",
            "output_dir: \(YAMLScalar.quoted(paths.outputDir))",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func datasetEntry(_ path: String, split: String?) -> [String] {
        var entry = [
            "  - path: \(YAMLScalar.quoted(path))",
            "    ds_type: json",
        ]
        if let split { entry.append("    split: \(split)") }
        entry += [
            "    type: chat_template",
            "    field_messages: messages",
        ]
        return entry
    }
}

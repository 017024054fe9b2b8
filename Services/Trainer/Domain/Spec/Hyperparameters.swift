import JSON

/// Training hyperparameters, resolved: every field holds the value the runner
/// will use. Names, defaults and rules match `ml/README.md` (the runner
/// re-validates the same rules before importing torch):
///
/// | key | default | rule |
/// |---|---|---|
/// | `lora_rank` | 8 | int 1–1024 |
/// | `lora_alpha` | 16 | > 0, ≤ 4096 |
/// | `lora_dropout` | 0.05 | 0 ≤ x < 1 |
/// | `learning_rate` | 5e-5 full, 2e-4 lora/qlora | > 0, ≤ 1 |
/// | `batch_size` | 4 | int 1–4096 (per device) |
/// | `gradient_accumulation_steps` | 1 | int 1–4096 |
/// | `num_epochs` | 1 | > 0, ≤ 1000 (fractions allowed) |
/// | `max_steps` | null | int 1–10⁷, overrides epochs |
/// | `warmup_steps` | 0 | int 0–10⁷ |
/// | `max_seq_length` | 512 | int 1–131072 |
/// | `save_steps` | 500 | int 1–10⁷ (seed §16: a checkpoint every 500 steps) |
/// | `save_total_limit` | null | int 1–1000 |
/// | `eval_steps` | null | int 1–10⁷; null = evaluate at each epoch end |
/// | `eval_on_start` | false | bool; needs a validation file |
/// | `early_stopping_patience` | null | int 1–1000; needs a validation file |
/// | `logging_steps` | 10 | int 1–10⁶ |
/// | `seed` | 42 | int 0–2³²−1 |
/// | `weight_decay` | 0 | 0–10 |
/// | `max_grad_norm` | 1.0 | > 0, ≤ 10⁶ |
/// | `lr_scheduler_type` | linear | see `LRSchedulerType` |
/// | `gradient_checkpointing` | null (runner: on for qlora on GPU) | bool |
public struct Hyperparameters: Sendable, Hashable {
    public var loraRank: Int = 8
    public var loraAlpha: Double = 16
    public var loraDropout: Double = 0.05
    public var learningRate: Double
    public var batchSize: Int = 4
    public var gradientAccumulationSteps: Int = 1
    public var numEpochs: Double = 1
    public var maxSteps: Int? = nil
    public var warmupSteps: Int = 0
    public var maxSeqLength: Int = 512
    public var saveSteps: Int = 500
    public var saveTotalLimit: Int? = nil
    public var evalSteps: Int? = nil
    public var evalOnStart: Bool = false
    public var earlyStoppingPatience: Int? = nil
    public var loggingSteps: Int = 10
    public var seed: Int = 42
    public var weightDecay: Double = 0
    public var maxGradNorm: Double = 1
    public var lrSchedulerType: LRSchedulerType = .linear
    public var gradientCheckpointing: Bool? = nil

    /// The largest value each numeric key accepts (the runner checks the same:
    /// ml/src/mlops_ml/spec.py `MAXIMUM`). Far above any real run, low enough
    /// that a typo cannot ask for a trillion epochs or a 2^30-token context.
    public static let maximum: [String: Double] = [
        "lora_rank": 1_024, "lora_alpha": 4_096, "lora_dropout": 1, "learning_rate": 1,
        "batch_size": 4_096, "gradient_accumulation_steps": 4_096, "num_epochs": 1_000,
        "max_steps": 10_000_000, "warmup_steps": 10_000_000, "max_seq_length": 131_072,
        "save_steps": 10_000_000, "save_total_limit": 1_000, "eval_steps": 10_000_000,
        "early_stopping_patience": 1_000, "logging_steps": 1_000_000, "seed": 4_294_967_295,
        "weight_decay": 10, "max_grad_norm": 1_000_000,
    ]

    /// All defaults, with the method's default learning rate.
    public init(method: TrainingMethod) {
        learningRate = method.defaultLearningRate
    }

    /// Every key this type knows, in the order of the table above.
    public static let keys: [String] = [
        "lora_rank", "lora_alpha", "lora_dropout", "learning_rate", "batch_size",
        "gradient_accumulation_steps", "num_epochs", "max_steps", "warmup_steps",
        "max_seq_length", "save_steps", "save_total_limit", "eval_steps", "eval_on_start",
        "early_stopping_patience", "logging_steps", "seed", "weight_decay", "max_grad_norm",
        "lr_scheduler_type", "gradient_checkpointing",
    ]

    /// Whether these settings only make sense with a validation file
    /// (`eval_on_start` or `early_stopping_patience`; the runner rejects them without one).
    public var requiresValidationSet: Bool {
        evalOnStart || earlyStoppingPatience != nil
    }

    /// All keys with their values (`null` for unset optional ones), as the
    /// runner's `hyperparameters` object and for storage (JSONB).
    public var jsonObject: [String: JSONValue] {
        func optional(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
        return [
            "lora_rank": .int(Int64(loraRank)),
            "lora_alpha": .double(loraAlpha),
            "lora_dropout": .double(loraDropout),
            "learning_rate": .double(learningRate),
            "batch_size": .int(Int64(batchSize)),
            "gradient_accumulation_steps": .int(Int64(gradientAccumulationSteps)),
            "num_epochs": .double(numEpochs),
            "max_steps": optional(maxSteps),
            "warmup_steps": .int(Int64(warmupSteps)),
            "max_seq_length": .int(Int64(maxSeqLength)),
            "save_steps": .int(Int64(saveSteps)),
            "save_total_limit": optional(saveTotalLimit),
            "eval_steps": optional(evalSteps),
            "eval_on_start": .bool(evalOnStart),
            "early_stopping_patience": optional(earlyStoppingPatience),
            "logging_steps": .int(Int64(loggingSteps)),
            "seed": .int(Int64(seed)),
            "weight_decay": .double(weightDecay),
            "max_grad_norm": .double(maxGradNorm),
            "lr_scheduler_type": .string(lrSchedulerType.rawValue),
            "gradient_checkpointing": gradientCheckpointing.map(JSONValue.bool) ?? .null,
        ]
    }
}

/// How the weights are trained (seed 003 §4.2); raw values are the API's and the runner's.
public enum TrainingMethod: String, Sendable, CaseIterable, Codable {
    /// All weights, fp32 (bf16 autocast on GPU).
    case full
    /// PEFT LoRA on all linear layers.
    case lora
    /// 4-bit NF4 base (bitsandbytes) with LoRA on top.
    case qlora

    /// The runner's default learning rate: 5e-5 for `full`, 2e-4 for `lora`/`qlora`.
    public var defaultLearningRate: Double {
        self == .full ? 5e-5 : 2e-4
    }

    /// Whether the method trains a LoRA adapter (so `lora_*` hyperparameters apply).
    public var usesAdapter: Bool { self != .full }

    /// "full, lora, qlora" — for error messages.
    public static var allowedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Learning-rate schedules the runner accepts (`lr_scheduler_type`).
public enum LRSchedulerType: String, Sendable, CaseIterable, Codable {
    case linear, cosine, constant
    case constantWithWarmup = "constant_with_warmup"
    case cosineWithRestarts = "cosine_with_restarts"
    case polynomial

    public static var allowedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

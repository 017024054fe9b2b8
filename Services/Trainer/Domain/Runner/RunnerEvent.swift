import JSON

/// One line of the runner's stdout (ml/README.md "Events"), typed. Parse with
/// `RunnerEvent.parse(line:)`. Every event has `time` (unix seconds) when the
/// runner sent one.
public enum RunnerEvent: Sendable, Hashable {
    case log(Log)
    case progress(Progress)
    case metrics(Metrics)
    case checkpoint(Checkpoint)
    case stopped(Stopped)
    case result(Result)
    case error(Failure)
    /// A well-formed event of a type this trainer does not handle (e.g.
    /// `token_stats`), kept as sent (without `type`).
    case other(type: String, fields: [String: JSONValue])

    /// `log`: `level` (info, warning), `message`, extras (`step`,
    /// `checkpoint`, `train_samples`, `parameters`, …) in `fields`.
    public struct Log: Sendable, Hashable {
        public var time: Double?
        public var level: String
        public var message: String
        /// The extras, without `type`, `time`, `level`, `message`.
        public var fields: [String: JSONValue]
        /// True when the stdout line was not a valid event: `message` is the
        /// line itself (level `warning`).
        public var raw: Bool
    }

    /// `progress`: after every optimizer step (and at train begin).
    public struct Progress: Sendable, Hashable {
        public var time: Double?
        public var step: Int
        public var total: Int?
        public var epoch: Double?

        /// step / total in 0…1, nil without a positive total.
        public var fraction: Double? {
            guard let total, total > 0 else { return nil }
            return min(1, max(0, Double(step) / Double(total)))
        }
    }

    /// `metrics`: every key always sent, null when not measured.
    public struct Metrics: Sendable, Hashable {
        public var time: Double?
        public var step: Int?
        public var epoch: Double?
        public var loss: Double?
        public var evalLoss: Double?
        public var perplexity: Double?
        public var learningRate: Double?
        public var gradNorm: Double?
        public var tokensPerSecond: Double?
        public var gpuMemoryGB: Double?

        /// An evaluation event (carries `eval_loss`) rather than a training one.
        public var isEvaluation: Bool { evalLoss != nil }
    }

    /// `checkpoint`: a complete `checkpoint-N` folder.
    public struct Checkpoint: Sendable, Hashable {
        public var time: Double?
        public var step: Int
        /// Absolute path of the folder.
        public var path: String
        /// Bytes.
        public var size: Int64?
        public var epoch: Double?

        /// `checkpoint-1000` (the `checkpoint_name` column).
        public var name: String {
            path.split(separator: "/").last.map(String.init) ?? path
        }
    }

    /// `stopped`: after SIGTERM/SIGINT (exit 143).
    public struct Stopped: Sendable, Hashable {
        public var time: Double?
        public var jobID: String?
        /// Null when stopped before training started.
        public var step: Int?
        /// The checkpoint saved on the way out, or nil.
        public var checkpoint: String?
        public var message: String
    }

    /// `result`: the run finished. Train results fill the typed fields;
    /// `fields` has the whole event (for convert / tiny-model results too).
    public struct Result: Sendable, Hashable {
        public var time: Double?
        public var jobID: String?
        public var method: String?
        public var outputDir: String?
        public var step: Int?
        public var total: Int?
        public var epoch: Double?
        /// The numeric entries of `metrics` (`loss`, `eval_loss`, `perplexity`,
        /// `train_loss`, `train_runtime`, `tokens_per_second`, …); nulls left out.
        public var metrics: [String: Double]
        public var artifacts: [String]
        /// Bytes of the artifacts.
        public var size: Int64?
        /// Every key except `type` and `time`.
        public var fields: [String: JSONValue]
    }

    /// `error`: exit 1, or exit 2 with `field` naming the bad key.
    public struct Failure: Sendable, Hashable {
        public var time: Double?
        public var message: String
        /// `method`, `hyperparameters.lora_rank`, `train_file`, … or nil.
        public var field: String?
    }

    /// The event's `time`, when sent.
    public var time: Double? {
        switch self {
        case .log(let e): e.time
        case .progress(let e): e.time
        case .metrics(let e): e.time
        case .checkpoint(let e): e.time
        case .stopped(let e): e.time
        case .result(let e): e.time
        case .error(let e): e.time
        case .other(_, let fields): fields["time"]?.numberValue
        }
    }
}

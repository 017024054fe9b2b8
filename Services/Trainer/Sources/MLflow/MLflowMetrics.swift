import Foundation
import TrainerDomain

/// The runner's metrics events as MLflow metric points (only measured, finite values).
enum MLflowMetrics {
    static func points(_ m: RunnerEvent.Metrics, step: Int) -> [MLflowMetric] {
        let millis = Int64(((m.time ?? Date().timeIntervalSince1970) * 1000).rounded())
        let pairs: [(String, Double?)] = [
            ("loss", m.loss), ("eval_loss", m.evalLoss), ("perplexity", m.perplexity), ("learning_rate", m.learningRate),
            ("grad_norm", m.gradNorm), ("tokens_per_second", m.tokensPerSecond), ("gpu_memory_gb", m.gpuMemoryGB), ("epoch", m.epoch),
        ]
        return pairs.compactMap { key, value in
            guard let value, value.isFinite else { return nil }
            return MLflowMetric(key: key, value: value, timestampMs: millis, step: Int64(step))
        }
    }
}

import Foundation
import ServiceKit

/// The trainer's own environment (beside ServiceSettings).
public struct TrainerSettings: Sendable {
    /// TRAINER_INSTANCE_ID: names this process in leases; default host-pid-random,
    /// so a restarted process is a new holder and never mistakes old leases for its own.
    public var instanceID: String
    /// TRAINER_DEVICES: `cpu:2` or `gpu:0,1`; unset = nvidia-smi, else one CPU slot.
    public var devices: String?
    /// TRAINER_LEASE_TTL_S: a lease not renewed for this long is lost (default 30).
    public var leaseTTL: Duration
    /// TRAINER_POLL_MS: how often the supervisor looks for work, stop requests
    /// and due heartbeats (default 500).
    public var pollInterval: Duration
    /// ML_PYTHON: the ml runtime's interpreter.
    public var mlPython: String
    /// TRAINER_MODELS_DIR: base models live here, relative to DATA_ROOT (default `models`);
    /// `base_model: "Qwen/Qwen3-7B-Instruct"` is the folder `models/Qwen/Qwen3-7B-Instruct`.
    public var modelsDir: String
    /// TRAINER_CPU_THREADS: torch threads of a job on a CPU slot (default 1).
    public var cpuThreads: Int
    /// MLFLOW_TRACKING_URI: mirror runs to this MLflow server when set.
    public var mlflowTrackingURI: URL?
    /// MLFLOW_EXPERIMENT_NAME: the experiment runs go to (default `finetuning`).
    public var mlflowExperiment: String

    public static func read(from environment: inout EnvironmentReader) -> TrainerSettings {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "trainer"
        let fallbackID = "\(host)-\(getpid())-\(UUID().uuidString.prefix(6).lowercased())"
        let instance = environment.string("TRAINER_INSTANCE_ID", default: fallbackID)
        if instance.count > 200 || instance.contains(where: { $0.isWhitespace }) {
            environment.problem("TRAINER_INSTANCE_ID", "must be at most 200 characters without spaces")
        }
        let ttl = environment.int("TRAINER_LEASE_TTL_S", default: 30, range: 2...3600)
        let poll = environment.int("TRAINER_POLL_MS", default: 500, range: 20...60_000)
        let python = environment.string("ML_PYTHON", default: ".data/ml-venv/bin/python")
        let models = environment.string("TRAINER_MODELS_DIR", default: "models")
        if models.hasPrefix("/") || models.split(separator: "/").contains("..") {
            environment.problem("TRAINER_MODELS_DIR", "must be a folder relative to DATA_ROOT")
        }
        let threads = environment.int("TRAINER_CPU_THREADS", default: 1, range: 1...256)
        var mlflow: URL?
        if let raw = environment.optionalString("MLFLOW_TRACKING_URI"), !raw.isEmpty {
            if let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host != nil {
                mlflow = url
            } else {
                environment.problem("MLFLOW_TRACKING_URI", "must be an http(s) URL of an MLflow tracking server")
            }
        }
        let experiment = environment.string("MLFLOW_EXPERIMENT_NAME", default: "finetuning")
        return TrainerSettings(
            instanceID: instance, devices: environment.optionalString("TRAINER_DEVICES"),
            leaseTTL: .seconds(ttl), pollInterval: .milliseconds(poll), mlPython: python, modelsDir: models,
            cpuThreads: threads, mlflowTrackingURI: mlflow, mlflowExperiment: experiment
        )
    }

    /// How often leases are renewed: a third of the TTL, so two missed beats still hold.
    public var heartbeatInterval: Duration { leaseTTL / 3 }
}

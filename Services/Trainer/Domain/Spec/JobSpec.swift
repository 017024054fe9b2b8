import JSON

/// A validated create-job request (seed 003 §6.2, table `finetuning_jobs` §7.2).
/// Build one with `JobSpecValidation.validate`.
public struct JobSpec: Sendable, Hashable {
    /// Unique name, 1–255 characters, no control characters.
    public var jobName: String
    /// A model name (`Qwen/Qwen3-7B-Instruct`) or path, 1–255 characters;
    /// the service resolves it to a local Hugging Face folder for the runner.
    public var baseModel: String
    /// The dataset service's dataset id (≥ 1).
    public var datasetID: Int64
    /// A dataset version label (`v1.2`); nil = the latest version.
    public var datasetVersion: String?
    public var method: TrainingMethod
    public var hyperparameters: Hyperparameters
    /// `gpu_ids` or `gpu_count` (default: one device).
    public var devices: DeviceRequest
    /// Higher runs first; `JobSpec.priorityRange`, default 0.
    public var priority: Int

    public static let defaultPriority = 0
    public static let priorityRange = -100...100
    public static let maxNameLength = 255

    public init(jobName: String, baseModel: String, datasetID: Int64, datasetVersion: String? = nil,
                method: TrainingMethod, hyperparameters: Hyperparameters? = nil,
                devices: DeviceRequest = .count(1), priority: Int = JobSpec.defaultPriority) {
        self.jobName = jobName
        self.baseModel = baseModel
        self.datasetID = datasetID
        self.datasetVersion = datasetVersion
        self.method = method
        self.hyperparameters = hyperparameters ?? Hyperparameters(method: method)
        self.devices = devices
        self.priority = priority
    }

    /// The request in canonical form (every default spelled out): what the
    /// service stores; `JobSpecValidation.validate` of it gives this spec back.
    public var normalizedRequest: JSONValue {
        var object: [String: JSONValue] = [
            "job_name": .string(jobName),
            "base_model": .string(baseModel),
            "dataset_id": .int(datasetID),
            "dataset_version": datasetVersion.map(JSONValue.string) ?? .null,
            "method": .string(method.rawValue),
            "hyperparameters": JSONValue(object: hyperparameters.jsonObject),
            "priority": .int(Int64(priority)),
        ]
        switch devices {
        case .ids(let ids): object["gpu_ids"] = .array(ids.map { .string($0.description) })
        case .count(let count): object["gpu_count"] = .int(Int64(count))
        }
        return JSONValue(object: object)
    }
}

/// Which devices a job wants.
public enum DeviceRequest: Sendable, Hashable, CustomStringConvertible {
    /// Exactly these devices (sorted, distinct); the job waits for all of them.
    case ids([DeviceID])
    /// Any `n` free devices (n ≥ 1).
    case count(Int)

    /// How many devices the job occupies.
    public var deviceCount: Int {
        switch self {
        case .ids(let ids): ids.count
        case .count(let count): count
        }
    }

    /// `gpu0,gpu1` or `count=2` (for logs and the `gpu_ids` column).
    public var description: String {
        switch self {
        case .ids(let ids): ids.map(\.description).joined(separator: ",")
        case .count(let count): "count=\(count)"
        }
    }
}

/// A rejected request with every problem found (in field order).
public struct JobSpecInvalid: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [FieldError]

    public init(_ problems: [FieldError]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "; ") }
}

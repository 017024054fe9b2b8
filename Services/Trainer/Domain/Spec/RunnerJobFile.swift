import Foundation
import JSON

/// Where a job's inputs and outputs live on this machine (absolute paths,
/// decided by the service: the resolved base model folder, the dataset
/// split files exported into DATA_ROOT, the run folder).
public struct JobPaths: Sendable, Hashable {
    /// A Hugging Face model folder (config.json + weights + tokenizer).
    public var baseModel: String
    /// Training samples, JSONL.
    public var trainFile: String
    /// Validation samples, JSONL; nil when the dataset has no validation part.
    public var valFile: String?
    /// Checkpoints (`checkpoint-N`) and the final model or adapter go here.
    public var outputDir: String

    public init(baseModel: String, trainFile: String, valFile: String?, outputDir: String) {
        self.baseModel = baseModel
        self.trainFile = trainFile
        self.valFile = valFile
        self.outputDir = outputDir
    }
}

/// The runner's `job.json` (ml/README.md "Job spec"), launched as
/// `python -m mlops_ml train --spec job.json [--resume-from CKPT|latest]`.
public enum RunnerJobFile {
    /// The runner's `job_id` for a job row: `ft-42`.
    public static func jobID(_ id: Int64) -> String { "ft-\(id)" }

    /// The spec object: keys `job_id`, `method`, `base_model`, `train_file`,
    /// `val_file` (or null), `output_dir`, `hyperparameters` (every key,
    /// resolved, null where unset), `resume_from` (a checkpoint folder,
    /// `"latest"`, or null).
    public static func object(jobID: String, spec: JobSpec, paths: JobPaths,
                              resumeFrom: String? = nil) -> [String: JSONValue] {
        [
            "job_id": .string(jobID),
            "method": .string(spec.method.rawValue),
            "base_model": .string(paths.baseModel),
            "train_file": .string(paths.trainFile),
            "val_file": paths.valFile.map(JSONValue.string) ?? .null,
            "output_dir": .string(paths.outputDir),
            "hyperparameters": JSONValue(object: spec.hyperparameters.jsonObject),
            "resume_from": resumeFrom.map(JSONValue.string) ?? .null,
        ]
    }

    /// `object(…)` as JSON bytes (sorted keys), ready to write to `job.json`.
    public static func data(jobID: String, spec: JobSpec, paths: JobPaths, resumeFrom: String? = nil) -> Data {
        Data(JSONValue(object: object(jobID: jobID, spec: spec, paths: paths, resumeFrom: resumeFrom)).serializedBytes)
    }

    /// The runner's arguments after the Python interpreter.
    public static func arguments(specPath: String, resumeFrom: String? = nil) -> [String] {
        var args = ["-m", "mlops_ml", "train", "--spec", specPath]
        if let resumeFrom { args += ["--resume-from", resumeFrom] }
        return args
    }

    /// What the runner would reject about this spec with these paths, known
    /// before launching it: empty paths, and evaluation settings without a
    /// validation file. Field names are the runner's.
    public static func problems(spec: JobSpec, paths: JobPaths) -> [FieldError] {
        var problems: [FieldError] = []
        for (field, path) in [("base_model", paths.baseModel), ("train_file", paths.trainFile),
                              ("output_dir", paths.outputDir)] where path.isEmpty {
            problems.append(FieldError(field, "is required"))
        }
        if paths.valFile == nil {
            if spec.hyperparameters.earlyStoppingPatience != nil {
                problems.append(FieldError("hyperparameters.early_stopping_patience", "needs a validation file"))
            }
            if spec.hyperparameters.evalOnStart {
                problems.append(FieldError("hyperparameters.eval_on_start", "needs a validation file"))
            }
        }
        return problems
    }
}

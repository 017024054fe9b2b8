import JSON

/// What the trainer needs to know of one dataset version (from dataset.ListVersions).
public struct DatasetVersionSummary: Sendable, Hashable {
    public var id: Int64
    /// `v1.2`
    public var version: String
    public var hasSplit: Bool
    public var trainSamples: Int64
    public var valSamples: Int64

    public init(id: Int64, version: String, hasSplit: Bool, trainSamples: Int64, valSamples: Int64) {
        self.id = id
        self.version = version
        self.hasSplit = hasSplit
        self.trainSamples = trainSamples
        self.valSamples = valSamples
    }
}

/// The dataset version a job trains on: the one the spec names, or the
/// latest. It must be split, have training samples, and have a validation
/// part when the hyperparameters evaluate. The problem names the spec's field.
public enum TrainingVersion {
    public static func choose(for spec: JobSpec, from versions: [DatasetVersionSummary]) throws(FieldError) -> DatasetVersionSummary {
        let chosen: DatasetVersionSummary
        if let label = spec.datasetVersion {
            guard let named = versions.first(where: { $0.version == label }) else {
                let known = versions.isEmpty ? "none" : versions.map(\.version).joined(separator: ", ")
                throw FieldError("dataset_version", "dataset \(spec.datasetID) has no version \(label) (it has \(known))")
            }
            chosen = named
        } else {
            guard let latest = versions.max(by: { $0.id < $1.id }) else {
                throw FieldError("dataset_id", "dataset \(spec.datasetID) has no version")
            }
            chosen = latest
        }
        let field = spec.datasetVersion == nil ? "dataset_id" : "dataset_version"
        guard chosen.hasSplit else {
            throw FieldError(field, "dataset \(spec.datasetID) version \(chosen.version) has no train/val/test split; split it first")
        }
        guard chosen.trainSamples > 0 else {
            throw FieldError(field, "dataset \(spec.datasetID) version \(chosen.version) has no training samples")
        }
        if spec.hyperparameters.requiresValidationSet, chosen.valSamples == 0 {
            let hyperparameter = spec.hyperparameters.earlyStoppingPatience != nil ? "early_stopping_patience" : "eval_on_start"
            throw FieldError("hyperparameters.\(hyperparameter)",
                               "needs a validation part; dataset \(spec.datasetID) version \(chosen.version) has none")
        }
        return chosen
    }
}

/// Thrown alone where one field decides (TrainingVersion); validation collects them in JobSpecInvalid.

import Foundation
import JSON

/// Validates a create-job request body (seed 003 §6.2) into a `JobSpec`,
/// reporting every problem at once as `(field, message)` pairs.
///
/// Fields:
/// - `job_name` (required): 1–255 characters, no control characters, not blank.
/// - `base_model` (required): 1–255 characters, no control characters.
/// - `dataset_id` (required): integer ≥ 1.
/// - `dataset_version`: 1–50 ASCII letters, digits, `.`, `_`, `-`; null/absent = latest.
/// - `method` (required): `full`, `lora` or `qlora`.
/// - `hyperparameters`: object, see `Hyperparameters` for keys, defaults, rules.
/// - `gpu_ids`: `"0,1"` or `[0, 1]` or `["gpu0", "cpu1"]` — a bare number means
///   that GPU; **or** `gpu_count`: integer ≥ 1. Not both; neither = one device.
/// - `priority`: integer from -100 to 100, default 0; higher runs first.
///
/// `null` counts as absent everywhere (so the default applies). Integers are
/// integer literals (`3`, not `3.0`: the JSON module's one rule). Unknown keys,
/// top-level or in `hyperparameters`, are reported as "is not a known field"
/// rather than ignored: a typo (`learning_rte`) must not silently train with a default.
/// Whether a validation file exists is not known here: see
/// `Hyperparameters.requiresValidationSet` and `RunnerJobFile.problems`.
public enum JobSpecValidation {
    public static let topLevelKeys: Set<String> = [
        "job_name", "base_model", "dataset_id", "dataset_version", "method",
        "hyperparameters", "gpu_ids", "gpu_count", "priority",
    ]

    /// Validates a request given as JSON text.
    public static func validate(json: Data) throws(JobSpecInvalid) -> JobSpec {
        guard let value = try? JSONValue.parse(json) else {
            throw JobSpecInvalid([FieldError("request", "is not valid JSON")])
        }
        return try validate(value)
    }

    /// Validates a decoded request.
    public static func validate(_ request: JSONValue) throws(JobSpecInvalid) -> JobSpec {
        guard request.members != nil else {
            throw JobSpecInvalid([FieldError("request", "must be a JSON object")])
        }
        var reader = FieldReader(request)

        let jobName = text(&reader, "job_name", required: true, maxLength: JobSpec.maxNameLength)
        let baseModel = text(&reader, "base_model", required: true, maxLength: JobSpec.maxNameLength)
        let datasetID = reader.int("dataset_id", required: true, range: 1...Int64.max)
        let datasetVersion = reader.string("dataset_version")
        if let datasetVersion, !isVersionLabel(datasetVersion) {
            reader.fail("dataset_version", "must be 1 to 50 ASCII letters, digits, '.', '_' or '-'")
        }
        let method = reader.choice("method", TrainingMethod.self, required: true)

        var hyperparameters = Hyperparameters(method: method ?? .lora)
        if var hpReader = reader.nested("hyperparameters") {
            readHyperparameters(&hpReader, into: &hyperparameters)
            reader.merge(hpReader)
        }

        let devices = deviceRequest(&reader)
        let priority = reader.int("priority", range: Int64(JobSpec.priorityRange.lowerBound)...Int64(JobSpec.priorityRange.upperBound))
        reader.rejectUnknown(topLevelKeys)

        guard reader.problems.isEmpty, let jobName, let baseModel, let datasetID, let method, let devices else {
            throw JobSpecInvalid(reader.problems)
        }
        return JobSpec(jobName: jobName, baseModel: baseModel, datasetID: datasetID,
                       datasetVersion: datasetVersion, method: method, hyperparameters: hyperparameters,
                       devices: devices, priority: priority.map(Int.init) ?? JobSpec.defaultPriority)
    }

    /// All problems of a request; empty when it is valid.
    public static func problems(in request: JSONValue) -> [FieldError] {
        do {
            _ = try validate(request)
            return []
        } catch {
            return error.problems
        }
    }

    // MARK: - Fields

    private static func text(_ reader: inout FieldReader, _ key: String, required: Bool, maxLength: Int) -> String? {
        guard let value = reader.string(key, required: required, length: 0...Int.max) else { return nil }
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            reader.fail(key, "must not be empty")
        } else if value.count > maxLength {
            reader.fail(key, "must be at most \(maxLength) characters")
        } else if value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            reader.fail(key, "must not contain control characters")
        } else {
            return value
        }
        return nil
    }

    public static func isVersionLabel(_ value: String) -> Bool {
        (1...50).contains(value.count)
            && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    private static func readHyperparameters(_ r: inout FieldReader, into h: inout Hyperparameters) {
        /// An integer hyperparameter from `minimum` to its documented maximum.
        func count(_ key: String, minimum: Int64) -> Int? {
            r.int(key, range: minimum...Int64(Hyperparameters.maximum[key]!)).map(Int.init)
        }
        /// A number within `bound` and at most its documented maximum.
        func number(_ key: String, _ bound: FieldReader.NumberBound) -> Double? {
            guard let value = r.double(key, bound) else { return nil }
            let maximum = Hyperparameters.maximum[key]!
            guard value <= maximum else {
                r.fail(key, "must be at most \(maximum == maximum.rounded() ? String(Int64(maximum)) : String(maximum))")
                return nil
            }
            return value
        }
        if let v = count("lora_rank", minimum: 1) { h.loraRank = v }
        if let v = number("lora_alpha", .positive) { h.loraAlpha = v }
        if let v = r.double("lora_dropout", .unitInterval) { h.loraDropout = v }
        if let v = number("learning_rate", .positive) { h.learningRate = v }
        if let v = count("batch_size", minimum: 1) { h.batchSize = v }
        if let v = count("gradient_accumulation_steps", minimum: 1) { h.gradientAccumulationSteps = v }
        if let v = number("num_epochs", .positive) { h.numEpochs = v }
        if let v = count("max_steps", minimum: 1) { h.maxSteps = v }
        if let v = count("warmup_steps", minimum: 0) { h.warmupSteps = v }
        if let v = count("max_seq_length", minimum: 1) { h.maxSeqLength = v }
        if let v = count("save_steps", minimum: 1) { h.saveSteps = v }
        if let v = count("save_total_limit", minimum: 1) { h.saveTotalLimit = v }
        if let v = count("eval_steps", minimum: 1) { h.evalSteps = v }
        if let v = r.bool("eval_on_start") { h.evalOnStart = v }
        if let v = count("early_stopping_patience", minimum: 1) { h.earlyStoppingPatience = v }
        if let v = count("logging_steps", minimum: 1) { h.loggingSteps = v }
        if let v = count("seed", minimum: 0) { h.seed = v }
        if let v = number("weight_decay", .nonNegative) { h.weightDecay = v }
        if let v = number("max_grad_norm", .positive) { h.maxGradNorm = v }
        if let v = r.choice("lr_scheduler_type", LRSchedulerType.self) { h.lrSchedulerType = v }
        if let v = r.bool("gradient_checkpointing") { h.gradientCheckpointing = v }
        r.rejectUnknown(Set(Hyperparameters.keys))
    }

    /// `gpu_ids` or `gpu_count`; nil (with a problem reported) when invalid.
    private static func deviceRequest(_ reader: inout FieldReader) -> DeviceRequest? {
        let rawIDs = reader.value("gpu_ids")
        let count = reader.int("gpu_count", range: 1...Int64.max).map(Int.init)
        if rawIDs != nil, reader.value("gpu_count") != nil {
            reader.fail("gpu_ids", "give gpu_ids or gpu_count, not both")
            return nil
        }
        guard let rawIDs else {
            if reader.value("gpu_count") != nil, count == nil { return nil }
            return .count(count ?? 1)
        }
        var tokens: [(field: String, value: JSONValue)] = []
        switch rawIDs {
        case .string(let list) where !list.trimmingCharacters(in: .whitespaces).isEmpty:
            let parts = list.split(separator: ",", omittingEmptySubsequences: false)
            tokens = parts.map { ("gpu_ids", .string($0.trimmingCharacters(in: .whitespaces))) }
        case .array(let items) where !items.isEmpty:
            tokens = items.enumerated().map { ("gpu_ids[\($0.offset)]", $0.element) }
        case .string, .array:
            reader.fail("gpu_ids", "must name at least one device")
            return nil
        default:
            reader.fail("gpu_ids", "must be a list of device ids or a comma-separated string")
            return nil
        }
        var ids: [DeviceID] = []
        var ok = true
        for token in tokens {
            guard let id = deviceID(token.value) else {
                reader.fail(token.field, "must be a GPU index (0), or a device id (gpu0, cpu0)")
                ok = false
                continue
            }
            if ids.contains(id) {
                reader.fail(token.field, "names \(id) twice")
                ok = false
                continue
            }
            ids.append(id)
        }
        return ok ? .ids(ids.sorted()) : nil
    }

    private static func deviceID(_ value: JSONValue) -> DeviceID? {
        if let index = value.intValue {
            return index >= 0 && index <= 999_999 ? .gpu(Int(index)) : nil
        }
        guard let text = value.stringValue else { return nil }
        if let index = DeviceID.parseIndex(text) { return .gpu(index) }
        return DeviceID(text)
    }
}

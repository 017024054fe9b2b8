import Bus
import Contracts
import Foundation
import ServiceKit
import TrainerDomain

/// Where a job's files live, relative to DATA_ROOT: `trainer/jobs/<id>/`
/// holds `job.json`, `train.log`, `output/` (checkpoints, final model or
/// adapter) and, while the job may run, `data/` (the plaintext split the
/// runner reads; removed when the job ends, since training data at rest is
/// kept only encrypted by the dataset service).
enum JobFiles {
    static let jobsDir = "trainer/jobs"

    static func jobDir(_ id: Int64) -> String { "\(jobsDir)/\(id)" }
    static func trainFile(_ id: Int64) -> String { "\(jobDir(id))/data/train.jsonl" }
    static func valFile(_ id: Int64) -> String { "\(jobDir(id))/data/val.jsonl" }
    static func specFile(_ id: Int64) -> String { "\(jobDir(id))/job.json" }

    static func absolute(_ relative: String, dataRoot: URL) throws -> URL {
        do { return try DataRoot(dataRoot).resolve(relative) } catch {
            throw BusError.internal("job path \(relative): \(error)")
        }
    }

    /// The base model's folder: `<models dir>/<base_model>` inside DATA_ROOT,
    /// with a config.json (a Hugging Face model folder).
    static func modelFolder(_ baseModel: String, settings: TrainerSettings, dataRoot: URL) throws(BusError) -> URL {
        let parts = baseModel.split(separator: "/", omittingEmptySubsequences: false)
        guard !baseModel.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw BusError.invalidArgument(field: "base_model", "must be a model name like Qwen/Qwen3-7B-Instruct (a folder under \(settings.modelsDir)/ in DATA_ROOT), not a path")
        }
        let folder: URL
        do { folder = try DataRoot(dataRoot).resolve("\(settings.modelsDir)/\(baseModel)") } catch {
            throw BusError.invalidArgument(field: "base_model", "\(error)")
        }
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) else {
            throw BusError.invalidArgument(field: "base_model", "no model '\(baseModel)' in \(settings.modelsDir)/ (a Hugging Face folder with config.json is expected there)")
        }
        return folder
    }

    /// Writes the train (and, when the split has one, validation) part of the
    /// job's dataset version as plaintext JSONL for the runner, through the
    /// dataset service, on behalf of the job's caller. Returns the relative paths.
    static func exportSplit(_ job: StoredJob, bus: BusClient) async throws -> (train: String, val: String?) {
        var ref = Mlops_V1_Dataset_VersionRef()
        ref.datasetID = job.proto.datasetID
        ref.version = job.proto.datasetVersion
        func export(_ part: String, _ destination: String) async throws -> Int64 {
            var request = Mlops_V1_Dataset_ExportSplitRequest()
            request.ref = ref
            request.part = part
            request.destination = destination
            return try await bus.call(DatasetMethods.exportSplit, request, for: job.caller, timeout: .seconds(600), attemptTimeout: .seconds(300)).samples
        }
        let train = trainFile(job.id)
        _ = try await export("train", train)
        let val = valFile(job.id)
        let valSamples = try await export("val", val)
        return (train, valSamples > 0 ? val : nil)
    }

    static func removeTrainingData(jobID: Int64, dataRoot: URL) {
        if let folder = try? DataRoot(dataRoot).resolve("\(jobDir(jobID))/data") {
            try? FileManager.default.removeItem(at: folder)
        }
    }
}

import Foundation
import JSON
import Testing
@testable import TrainerDomain

@Suite struct RunnerJobFileTests {
    let paths = JobPaths(baseModel: "/models/tiny", trainFile: "/data/train.jsonl", valFile: "/data/val.jsonl",
                         outputDir: "/runs/ft-42")

    @Test func specObjectHasTheRunnersKeys() throws {
        var h = Hyperparameters(method: .lora)
        h.loraRank = 16
        h.numEpochs = 3
        let spec = JobSpec(jobName: "j", baseModel: "Qwen/Qwen3-7B-Instruct", datasetID: 1, method: .lora,
                           hyperparameters: h)
        let object = RunnerJobFile.object(jobID: RunnerJobFile.jobID(42), spec: spec, paths: paths)
        #expect(Set(object.keys) == ["job_id", "method", "base_model", "train_file", "val_file", "output_dir",
                                     "hyperparameters", "resume_from"])
        #expect(object["job_id"] == .string("ft-42"))
        #expect(object["method"] == .string("lora"))
        #expect(object["base_model"] == .string("/models/tiny"))
        #expect(object["val_file"] == .string("/data/val.jsonl"))
        #expect(object["resume_from"] == .null)
        let hp = try #require(object["hyperparameters"]?.objectValue)
        #expect(Set(hp.keys) == Set(Hyperparameters.keys))
        #expect(hp["lora_rank"] == .int(16))
        #expect(hp["learning_rate"] == .double(2e-4))
        #expect(hp["save_steps"] == .int(500))
        #expect(hp["eval_steps"] == .null)
        #expect(hp["lr_scheduler_type"] == .string("linear"))
        #expect(hp["gradient_checkpointing"] == .null)
    }

    @Test func bytesAreJSONWithNullsAndResume() throws {
        let spec = JobSpec(jobName: "j", baseModel: "m", datasetID: 1, method: .full)
        let noVal = JobPaths(baseModel: "/m", trainFile: "/t.jsonl", valFile: nil, outputDir: "/o")
        let data = RunnerJobFile.data(jobID: "ft-1", spec: spec, paths: noVal, resumeFrom: "latest")
        let any = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(any["val_file"] is NSNull)
        #expect(any["resume_from"] as? String == "latest")
        #expect(String(decoding: data, as: UTF8.self).hasPrefix(#"{"base_model":"/m","hyperparameters":{"#))
        let back = try JSONValue.parse(data)
        #expect(back.objectValue?["hyperparameters"]?.objectValue?["learning_rate"]?.numberValue == 5e-5)
    }

    @Test func arguments() {
        #expect(RunnerJobFile.arguments(specPath: "/runs/ft-1/job.json")
            == ["-m", "mlops_ml", "train", "--spec", "/runs/ft-1/job.json"])
        #expect(RunnerJobFile.arguments(specPath: "j.json", resumeFrom: "latest").suffix(2) == ["--resume-from", "latest"])
    }

    @Test func problemsBeforeLaunch() {
        var h = Hyperparameters(method: .lora)
        h.earlyStoppingPatience = 3
        h.evalOnStart = true
        let spec = JobSpec(jobName: "j", baseModel: "m", datasetID: 1, method: .lora, hyperparameters: h)
        #expect(RunnerJobFile.problems(spec: spec, paths: paths).isEmpty)
        let bad = JobPaths(baseModel: "", trainFile: "/t", valFile: nil, outputDir: "")
        #expect(RunnerJobFile.problems(spec: spec, paths: bad).map(\.description) == [
            "base_model: is required",
            "output_dir: is required",
            "hyperparameters.early_stopping_patience: needs a validation file",
            "hyperparameters.eval_on_start: needs a validation file",
        ])
    }
}

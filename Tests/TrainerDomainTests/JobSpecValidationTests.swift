import Foundation
import JSON
import Testing
@testable import TrainerDomain

/// Problems of a request as "field: message" strings ([] when valid).
private func problems(_ json: String) -> [String] {
    do {
        _ = try JobSpecValidation.validate(json: Data(json.utf8))
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

private func spec(_ json: String) throws -> JobSpec {
    try JobSpecValidation.validate(json: Data(json.utf8))
}

/// A valid request with `extra` merged in (JSON members without braces).
private func request(_ extra: String = "", hyperparameters: String = "") -> String {
    let base = #""job_name":"j","base_model":"Qwen/Qwen3-7B-Instruct","dataset_id":1,"method":"lora""#
    let hp = hyperparameters.isEmpty ? "" : #","hyperparameters":{\#(hyperparameters)}"#
    return "{" + base + hp + (extra.isEmpty ? "" : "," + extra) + "}"
}

@Suite struct JobSpecValidationTests {
    @Test func seedExampleRequest() throws {
        let body = """
        {"job_name": "qwen-legal-v1", "base_model": "Qwen/Qwen3-7B-Instruct", "dataset_id": 123, "method": "lora",
         "hyperparameters": {"lora_rank": 16, "lora_alpha": 32, "learning_rate": 2e-4, "batch_size": 4,
           "gradient_accumulation_steps": 8, "num_epochs": 3, "warmup_steps": 100, "max_seq_length": 2048},
         "gpu_ids": "0,1"}
        """
        let s = try spec(body)
        #expect(s.jobName == "qwen-legal-v1")
        #expect(s.datasetID == 123)
        #expect(s.datasetVersion == nil)
        #expect(s.method == .lora)
        #expect(s.devices == .ids([.gpu(0), .gpu(1)]))
        #expect(s.priority == 0)
        let h = s.hyperparameters
        #expect(h.loraRank == 16 && h.loraAlpha == 32 && h.learningRate == 2e-4 && h.batchSize == 4)
        #expect(h.gradientAccumulationSteps == 8 && h.numEpochs == 3 && h.warmupSteps == 100 && h.maxSeqLength == 2048)
        // Defaults for what was not given.
        #expect(h.saveSteps == 500 && h.seed == 42 && h.loraDropout == 0.05 && h.evalSteps == nil)
        #expect(h.earlyStoppingPatience == nil && h.loggingSteps == 10 && h.lrSchedulerType == .linear)
    }

    @Test func defaultsDependOnMethod() throws {
        let full = try spec(#"{"job_name":"a","base_model":"m","dataset_id":1,"method":"full"}"#)
        #expect(full.hyperparameters == Hyperparameters(method: .full))
        #expect(full.hyperparameters.learningRate == 5e-5)
        #expect(full.devices == .count(1))
        let qlora = try spec(#"{"job_name":"a","base_model":"m","dataset_id":1,"method":"qlora"}"#)
        #expect(qlora.hyperparameters.learningRate == 2e-4)
    }

    @Test func requiredFields() {
        #expect(problems("{}") == [
            "job_name: is required", "base_model: is required", "dataset_id: is required", "method: is required",
        ])
        #expect(problems("[]") == ["request: must be a JSON object"])
        #expect(problems("{not json") == ["request: is not valid JSON"])
    }

    @Test func everyProblemReportedAtOnce() {
        let body = """
        {"job_name": "", "base_model": 7, "dataset_id": 0, "dataset_version": "v 1", "method": "dora",
         "hyperparameters": {"lora_rank": 0, "lora_alpha": -1, "lora_dropout": 1, "learning_rate": 0,
           "batch_size": 2.5, "gradient_accumulation_steps": true, "num_epochs": "3", "max_steps": 0,
           "warmup_steps": -1, "max_seq_length": 0, "save_steps": 0, "save_total_limit": 0, "eval_steps": 0,
           "eval_on_start": 1, "early_stopping_patience": 0, "logging_steps": 0, "seed": -1, "weight_decay": -0.1,
           "max_grad_norm": 0, "lr_scheduler_type": "exp", "gradient_checkpointing": "yes", "learning_rte": 1},
         "gpu_count": 0, "priority": 101, "owner": "x"}
        """
        #expect(problems(body) == [
            "job_name: must not be empty",
            "base_model: must be a string, not number",
            "dataset_id: must be at least 1",
            "dataset_version: must be 1 to 50 ASCII letters, digits, '.', '_' or '-'",
            "method: must be one of full, lora, qlora",
            "hyperparameters.lora_rank: must be between 1 and 1024",
            "hyperparameters.lora_alpha: must be greater than 0",
            "hyperparameters.lora_dropout: must be at least 0 and less than 1",
            "hyperparameters.learning_rate: must be greater than 0",
            "hyperparameters.batch_size: must be an integer, not a fraction",
            "hyperparameters.gradient_accumulation_steps: must be an integer, not boolean",
            "hyperparameters.num_epochs: must be a number, not string",
            "hyperparameters.max_steps: must be between 1 and 10000000",
            "hyperparameters.warmup_steps: must be between 0 and 10000000",
            "hyperparameters.max_seq_length: must be between 1 and 131072",
            "hyperparameters.save_steps: must be between 1 and 10000000",
            "hyperparameters.save_total_limit: must be between 1 and 1000",
            "hyperparameters.eval_steps: must be between 1 and 10000000",
            "hyperparameters.eval_on_start: must be true or false, not number",
            "hyperparameters.early_stopping_patience: must be between 1 and 1000",
            "hyperparameters.logging_steps: must be between 1 and 1000000",
            "hyperparameters.seed: must be between 0 and 4294967295",
            "hyperparameters.weight_decay: must be at least 0",
            "hyperparameters.max_grad_norm: must be greater than 0",
            "hyperparameters.lr_scheduler_type: must be one of linear, cosine, constant, constant_with_warmup, cosine_with_restarts, polynomial",
            "hyperparameters.gradient_checkpointing: must be true or false, not string",
            "hyperparameters.learning_rte: is not a known field",
            "gpu_count: must be at least 1",
            "priority: must be between -100 and 100",
            "owner: is not a known field",
        ])
    }

    @Test(arguments: [
        (#""lora_rank": 0"#, "hyperparameters.lora_rank: must be between 1 and 1024"),
        (#""lora_rank": -3"#, "hyperparameters.lora_rank: must be between 1 and 1024"),
        (#""lora_rank": 8.5"#, "hyperparameters.lora_rank: must be an integer, not a fraction"),
        // The JSON module's one rule: an integer is an integer literal.
        (#""lora_rank": 4.0"#, "hyperparameters.lora_rank: must be an integer, not a fraction"),
        (#""learning_rate": -1e-4"#, "hyperparameters.learning_rate: must be greater than 0"),
        (#""learning_rate": "2e-4""#, "hyperparameters.learning_rate: must be a number, not string"),
        (#""num_epochs": 0"#, "hyperparameters.num_epochs: must be greater than 0"),
        (#""lora_dropout": -0.1"#, "hyperparameters.lora_dropout: must be at least 0 and less than 1"),
        (#""batch_size": []"#, "hyperparameters.batch_size: must be an integer, not array"),
    ])
    func oneBadHyperparameter(member: String, expected: String) {
        #expect(problems(request(hyperparameters: member)) == [expected])
    }

    /// Every numeric hyperparameter has an upper bound; the issue's examples among them.
    @Test func everyNumericHyperparameterHasADocumentedMaximum() {
        let fractional: Set = ["lora_alpha", "learning_rate", "num_epochs", "weight_decay", "max_grad_norm"]
        let numeric = Hyperparameters.keys.filter { !["eval_on_start", "lr_scheduler_type", "gradient_checkpointing"].contains($0) }
        #expect(Set(Hyperparameters.maximum.keys) == Set(numeric), "a bound for each numeric key, no more")
        for (key, maximum) in Hyperparameters.maximum where key != "lora_dropout" {
            let isFraction = fractional.contains(key)
            let atMaximum = isFraction ? "\(maximum)" : "\(Int64(maximum))"
            #expect(problems(request(hyperparameters: #""\#(key)": \#(atMaximum)"#)) == [], "\(key) at \(atMaximum)")
            let above = isFraction ? "\(maximum * Double.random(in: 1.001...1e6))" : "\(Int64(maximum) + Int64.random(in: 1...1_000_000))"
            let refused = problems(request(hyperparameters: #""\#(key)": \#(above)"#))
            #expect(refused.count == 1 && refused.first?.hasPrefix("hyperparameters.\(key): must be") == true, "\(key) at \(above): \(refused)")
        }
        for member in [#""num_epochs": 1e12"#, #""max_seq_length": 1000000000"#, #""lora_rank": 1000000000"#, #""learning_rate": 1e300"#] {
            #expect(problems(request(hyperparameters: member)).count == 1, "\(member)")
        }
    }

    /// The runner checks the same table before importing torch (ml/src/mlops_ml/spec.py).
    @Test func theRunnerHasTheSameMaximums() throws {
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../ml/src").standardized
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import json, sys; sys.path.insert(0, sys.argv[1]); from mlops_ml.spec import MAXIMUM; print(json.dumps(MAXIMUM))", spec.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let python = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Double])
        #expect(python == Hyperparameters.maximum)
    }

    @Test func acceptedEdgeValues() throws {
        let s = try spec(request(hyperparameters: """
        "lora_rank": 4, "lora_dropout": 0, "num_epochs": 0.5, "warmup_steps": 0, "seed": 0, "weight_decay": 0,
        "eval_steps": 50, "early_stopping_patience": 3, "eval_on_start": true, "max_steps": 10,
        "save_total_limit": 2, "lr_scheduler_type": "cosine", "gradient_checkpointing": false
        """))
        let h = s.hyperparameters
        #expect(h.loraRank == 4 && h.loraDropout == 0 && h.numEpochs == 0.5 && h.seed == 0)
        #expect(h.evalSteps == 50 && h.earlyStoppingPatience == 3 && h.evalOnStart && h.maxSteps == 10)
        #expect(h.saveTotalLimit == 2 && h.lrSchedulerType == .cosine && h.gradientCheckpointing == false)
        #expect(h.requiresValidationSet)
    }

    @Test func nullMeansDefault() throws {
        let s = try spec(request(#""dataset_version": null, "gpu_ids": null, "priority": null"#,
                                 hyperparameters: #""save_steps": null, "eval_steps": null"#))
        #expect(s.datasetVersion == nil && s.devices == .count(1) && s.priority == 0)
        #expect(s.hyperparameters.saveSteps == 500 && s.hyperparameters.evalSteps == nil)
        #expect(!s.hyperparameters.requiresValidationSet)
    }

    @Test func textFields() {
        #expect(problems(#"{"job_name":"   ","base_model":"m","dataset_id":1,"method":"full"}"#)
            == ["job_name: must not be empty"])
        let long = String(repeating: "a", count: 256)
        #expect(problems(#"{"job_name":"\#(long)","base_model":"m","dataset_id":1,"method":"full"}"#)
            == ["job_name: must be at most 255 characters"])
        #expect(problems(#"{"job_name":"a\nb","base_model":"m","dataset_id":1,"method":"full"}"#)
            == ["job_name: must not contain control characters"])
        #expect(problems(#"{"job_name":"법률-v1","base_model":"m","dataset_id":1,"method":"full","dataset_version":"v1.2"}"#) == [])
    }

    @Test(arguments: [
        (#""gpu_ids": "0,1""#, DeviceRequest.ids([.gpu(0), .gpu(1)])),
        (#""gpu_ids": " 1 , 0 ""#, .ids([.gpu(0), .gpu(1)])),
        (#""gpu_ids": [3]"#, .ids([.gpu(3)])),
        (#""gpu_ids": ["gpu1", "cpu0", 0]"#, .ids([.gpu(0), .gpu(1), .cpu(0)])),
        (#""gpu_ids": "cpu1""#, .ids([.cpu(1)])),
        (#""gpu_count": 2"#, .count(2)),
    ])
    func deviceRequests(member: String, expected: DeviceRequest) throws {
        #expect(try spec(request(member)).devices == expected)
    }

    @Test(arguments: [
        (#""gpu_ids": "0", "gpu_count": 1"#, ["gpu_ids: give gpu_ids or gpu_count, not both"]),
        (#""gpu_ids": """#, ["gpu_ids: must name at least one device"]),
        (#""gpu_ids": []"#, ["gpu_ids: must name at least one device"]),
        (#""gpu_ids": "0,0""#, ["gpu_ids: names gpu0 twice"]),
        (#""gpu_ids": "0,,1""#, ["gpu_ids: must be a GPU index (0), or a device id (gpu0, cpu0)"]),
        (#""gpu_ids": ["gpu0", "tpu1", -1]"#, [
            "gpu_ids[1]: must be a GPU index (0), or a device id (gpu0, cpu0)",
            "gpu_ids[2]: must be a GPU index (0), or a device id (gpu0, cpu0)",
        ]),
        (#""gpu_ids": 0"#, ["gpu_ids: must be a list of device ids or a comma-separated string"]),
        (#""gpu_count": "2""#, ["gpu_count: must be an integer, not string"]),
        (#""gpu_count": 1.0"#, ["gpu_count: must be an integer, not a fraction"]),
    ])
    func badDeviceRequests(member: String, expected: [String]) {
        #expect(problems(request(member)) == expected)
    }

    @Test func priorityRange() throws {
        #expect(try spec(request(#""priority": -100"#)).priority == -100)
        #expect(try spec(request(#""priority": 100"#)).priority == 100)
        #expect(problems(request(#""priority": -101"#)) == ["priority: must be between -100 and 100"])
    }

    @Test func hyperparametersMustBeAnObject() {
        #expect(problems(request(#""hyperparameters": [1]"#)) == ["hyperparameters: must be an object, not array"])
    }

    @Test func problemsHelper() {
        #expect(JobSpecValidation.problems(in: .object([])).count == 4)
        #expect(JobSpecValidation.problems(in: try! JSONValue.parse(request())).isEmpty)
    }

    @Test func normalizedRequestRoundTrips() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let method = TrainingMethod.allCases.randomElement(using: &rng)!
            var h = Hyperparameters(method: method)
            h.loraRank = Int.random(in: 1...256, using: &rng)
            h.loraAlpha = Double(Int.random(in: 1...64, using: &rng)) / 2
            h.learningRate = Double.random(in: 1e-6...1e-2, using: &rng)
            h.numEpochs = [0.5, 1, 3].randomElement(using: &rng)!
            h.evalSteps = Bool.random(using: &rng) ? Int.random(in: 1...1000, using: &rng) : nil
            h.gradientCheckpointing = [nil, true, false].randomElement(using: &rng)!
            h.lrSchedulerType = LRSchedulerType.allCases.randomElement(using: &rng)!
            let devices: DeviceRequest = Bool.random(using: &rng)
                ? .count(Int.random(in: 1...4, using: &rng))
                : .ids([.gpu(Int.random(in: 0...3, using: &rng))])
            let original = JobSpec(jobName: "job-\(rng.next() % 1000)", baseModel: "/models/m",
                                   datasetID: Int64.random(in: 1...9999, using: &rng),
                                   datasetVersion: Bool.random(using: &rng) ? "v1.\(rng.next() % 9)" : nil,
                                   method: method, hyperparameters: h, devices: devices,
                                   priority: Int.random(in: -100...100, using: &rng))
            // Through bytes, as the service stores and reloads it.
            let bytes = Data(original.normalizedRequest.serializedBytes)
            #expect(try JobSpecValidation.validate(json: bytes) == original)
        }
    }
}

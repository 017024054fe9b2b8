import Testing
@testable import TrainerDomain

@Suite struct RunnerEventTests {
    @Test func log() {
        let line = #"{"type":"log","time":1700000000.5,"level":"info","message":"model loaded: 130000 parameters","parameters":130000,"device":"cpu"}"#
        guard case .log(let e) = RunnerEvent.parse(line: line) else { Issue.record("not a log"); return }
        #expect(e.time == 1_700_000_000.5 && e.level == "info" && e.message == "model loaded: 130000 parameters")
        #expect(e.fields == ["parameters": .int(130_000), "device": .string("cpu")])
        #expect(!e.raw)
        // level defaults to info
        guard case .log(let bare) = RunnerEvent.parse(line: #"{"type":"log","message":"m"}"#) else { return }
        #expect(bare.level == "info" && bare.time == nil)
    }

    @Test func progress() {
        let event = RunnerEvent.parse(line: #"{"type":"progress","time":1.0,"step":38,"total":76,"epoch":1.0}"#)
        #expect(event == .progress(.init(time: 1, step: 38, total: 76, epoch: 1)))
        guard case .progress(let p) = event else { return }
        #expect(p.fraction == 0.5)
        #expect(RunnerEvent.Progress(time: nil, step: 3, total: 0, epoch: nil).fraction == nil)
    }

    @Test func trainingAndEvaluationMetrics() {
        let train = #"{"type":"metrics","time":2,"step":10,"epoch":0.26,"loss":7.31,"eval_loss":null,"perplexity":1495.2,"learning_rate":0.0002,"grad_norm":1.7,"tokens_per_second":5120.5,"gpu_memory_gb":0}"#
        guard case .metrics(let m) = RunnerEvent.parse(line: train) else { Issue.record("not metrics"); return }
        #expect(m.step == 10 && m.epoch == 0.26 && m.loss == 7.31 && m.evalLoss == nil && m.perplexity == 1495.2)
        #expect(m.learningRate == 0.0002 && m.gradNorm == 1.7 && m.tokensPerSecond == 5120.5 && m.gpuMemoryGB == 0)
        #expect(!m.isEvaluation)
        let eval = #"{"type":"metrics","time":3,"step":38,"epoch":1.0,"loss":null,"eval_loss":7.21,"perplexity":1352.9,"learning_rate":null,"grad_norm":null,"tokens_per_second":null,"gpu_memory_gb":12.5}"#
        guard case .metrics(let e) = RunnerEvent.parse(line: eval) else { Issue.record("not metrics"); return }
        #expect(e.isEvaluation && e.evalLoss == 7.21 && e.loss == nil && e.gpuMemoryGB == 12.5)
    }

    @Test func checkpoint() {
        let line = #"{"type":"checkpoint","time":4,"step":500,"path":"/runs/ft-42/checkpoint-500","size":1048576,"epoch":0.5}"#
        let event = RunnerEvent.parse(line: line)
        #expect(event == .checkpoint(.init(time: 4, step: 500, path: "/runs/ft-42/checkpoint-500", size: 1_048_576, epoch: 0.5)))
        guard case .checkpoint(let c) = event else { return }
        #expect(c.name == "checkpoint-500")
    }

    @Test func stopped() {
        let during = #"{"type":"stopped","time":5,"job_id":"ft-42","step":120,"checkpoint":"/runs/ft-42/checkpoint-120","message":"stopped by signal 15"}"#
        #expect(RunnerEvent.parse(line: during) == .stopped(.init(time: 5, jobID: "ft-42", step: 120,
                                                                  checkpoint: "/runs/ft-42/checkpoint-120",
                                                                  message: "stopped by signal 15")))
        let before = #"{"type":"stopped","time":5,"job_id":"ft-42","step":null,"checkpoint":null,"message":"stopped before training started; nothing to save"}"#
        guard case .stopped(let s) = RunnerEvent.parse(line: before) else { Issue.record("not stopped"); return }
        #expect(s.step == nil && s.checkpoint == nil)
    }

    @Test func trainResult() {
        let line = #"{"type":"result","time":6,"job_id":"ft-42","method":"lora","output_dir":"/runs/ft-42","step":76,"total":76,"epoch":2.0,"metrics":{"loss":7.2,"eval_loss":7.21,"perplexity":1352.9,"learning_rate":null,"train_runtime":3.1,"tokens_seen":40960},"artifacts":["adapter_config.json","adapter_model.safetensors"],"size":524288}"#
        guard case .result(let r) = RunnerEvent.parse(line: line) else { Issue.record("not a result"); return }
        #expect(r.jobID == "ft-42" && r.method == "lora" && r.outputDir == "/runs/ft-42")
        #expect(r.step == 76 && r.total == 76 && r.epoch == 2 && r.size == 524_288)
        #expect(r.metrics == ["loss": 7.2, "eval_loss": 7.21, "perplexity": 1352.9, "train_runtime": 3.1, "tokens_seen": 40960])
        #expect(r.artifacts == ["adapter_config.json", "adapter_model.safetensors"])
        #expect(r.fields["job_id"] == .string("ft-42") && r.fields["type"] == nil && r.fields["time"] == nil)
    }

    @Test func error() {
        #expect(RunnerEvent.parse(line: #"{"type":"error","time":7,"message":"lora_rank must be > 0, got 0","field":"hyperparameters.lora_rank"}"#)
            == .error(.init(time: 7, message: "lora_rank must be > 0, got 0", field: "hyperparameters.lora_rank")))
        #expect(RunnerEvent.parse(line: #"{"type":"error","message":"training failed: X","field":null}"#)
            == .error(.init(time: nil, message: "training failed: X", field: nil)))
    }

    @Test func unknownTypeKeptAsOther() {
        let event = RunnerEvent.parse(line: #"{"type":"token_stats","time":8,"count":200,"mean":41.5}"#)
        #expect(event == .other(type: "token_stats", fields: ["time": .int(8), "count": .int(200), "mean": .double(41.5)]))
        #expect(event.time == 8)
    }

    @Test(arguments: [
        "Traceback (most recent call last):",
        "",
        "{",
        "[1,2]",
        #"{"no_type":1}"#,
        #"{"type":7}"#,
        #"{"type":"log"}"#,
        #"{"type":"progress","step":"x"}"#,
        #"{"type":"checkpoint","step":1}"#,
        #"{"type":"error","field":"x"}"#,
        "{\"type\":\"log\",\"message\":\"\u{FFFD}\"} trailing",
    ])
    func badLinesBecomeRawLogs(line: String) {
        #expect(RunnerEvent.parse(line: line) == .log(.init(time: nil, level: "warning", message: line, fields: [:], raw: true)))
    }

    @Test func mistypedOptionalFieldsReadAsNil() {
        guard case .metrics(let m) = RunnerEvent.parse(line: #"{"type":"metrics","step":2.5,"loss":"nan","epoch":true}"#) else {
            Issue.record("not metrics")
            return
        }
        #expect(m.step == nil && m.loss == nil && m.epoch == nil)
    }

    @Test func chunkOfLines() {
        let chunk = "{\"type\":\"progress\",\"step\":1,\"total\":2,\"epoch\":0.5}\r\n\n{\"type\":\"progress\",\"step\":2,\"total\":2,\"epoch\":1}\n"
        #expect(RunnerEvent.parse(lines: chunk).count == 2)
    }

    @Test func exitCodes() {
        #expect(RunnerExit(code: 0) == .completed)
        #expect(RunnerExit(code: 1) == .failed)
        #expect(RunnerExit(code: 2) == .badSpec)
        #expect(RunnerExit(code: 143) == .stopped)
        #expect(RunnerExit(code: 137) == .crashed(code: 137))
        #expect(RunnerExit(code: 15, terminatedBySignal: true) == .stopped)
        #expect(RunnerExit(code: 9, terminatedBySignal: true) == .crashed(code: 137))
    }
}

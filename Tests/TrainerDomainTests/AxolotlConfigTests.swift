import Testing
@testable import TrainerDomain

@Suite struct AxolotlConfigTests {
    @Test func loraJobWithValidationSet() {
        var h = Hyperparameters(method: .lora)
        h.loraRank = 16
        h.loraAlpha = 32
        h.batchSize = 4
        h.gradientAccumulationSteps = 8
        h.numEpochs = 3
        h.warmupSteps = 100
        h.maxSeqLength = 2048
        h.evalSteps = 100
        h.earlyStoppingPatience = 3
        h.lrSchedulerType = .cosine
        let spec = JobSpec(jobName: "qwen-legal-v1", baseModel: "Qwen/Qwen3-7B-Instruct", datasetID: 123,
                           method: .lora, hyperparameters: h)
        let paths = JobPaths(baseModel: "/models/qwen3-7b", trainFile: "/data/exports/7/train.jsonl",
                             valFile: "/data/exports/7/val.jsonl", outputDir: "/data/runs/ft-7")
        #expect(AxolotlConfig.render(spec, paths: paths) == """
        # Axolotl config exported by the trainer: job "qwen-legal-v1", method lora
        # Paths are relative to the platform's DATA_ROOT: run axolotl from there.
        base_model: "/models/qwen3-7b"
        datasets:
          - path: "/data/exports/7/train.jsonl"
            ds_type: json
            type: chat_template
            field_messages: messages
        test_datasets:
          - path: "/data/exports/7/val.jsonl"
            ds_type: json
            split: train
            type: chat_template
            field_messages: messages
        chat_template: tokenizer_default
        train_on_inputs: false
        adapter: lora
        lora_r: 16
        lora_alpha: 32
        lora_dropout: 0.05
        lora_target_linear: true
        sequence_len: 2048
        micro_batch_size: 4
        gradient_accumulation_steps: 8
        num_epochs: 3
        learning_rate: 0.0002
        lr_scheduler: cosine
        warmup_steps: 100
        weight_decay: 0
        max_grad_norm: 1
        save_steps: 500
        eval_steps: 100
        early_stopping_patience: 3
        logging_steps: 10
        seed: 42
        bf16: auto
        output_dir: "/data/runs/ft-7"

        """)
    }

    @Test func fullJobWithoutValidationSet() {
        var h = Hyperparameters(method: .full)
        h.numEpochs = 0.5
        h.maxSteps = 30
        h.saveTotalLimit = 2
        h.gradientCheckpointing = true
        h.evalSteps = 10  // no validation file: left out
        let spec = JobSpec(jobName: "tiny \"full\"", baseModel: "tiny", datasetID: 1, method: .full, hyperparameters: h)
        let paths = JobPaths(baseModel: "/models/tiny", trainFile: "/data/t.jsonl", valFile: nil, outputDir: "/runs/ft-1")
        #expect(AxolotlConfig.render(spec, paths: paths) == """
        # Axolotl config exported by the trainer: job "tiny \\"full\\"", method full
        # Paths are relative to the platform's DATA_ROOT: run axolotl from there.
        base_model: "/models/tiny"
        datasets:
          - path: "/data/t.jsonl"
            ds_type: json
            type: chat_template
            field_messages: messages
        val_set_size: 0
        chat_template: tokenizer_default
        train_on_inputs: false
        sequence_len: 512
        micro_batch_size: 4
        gradient_accumulation_steps: 1
        num_epochs: 0.5
        max_steps: 30
        learning_rate: 5.0e-05
        lr_scheduler: linear
        warmup_steps: 0
        weight_decay: 0
        max_grad_norm: 1
        gradient_checkpointing: true
        save_steps: 500
        save_total_limit: 2
        logging_steps: 10
        seed: 42
        bf16: auto
        output_dir: "/runs/ft-1"

        """)
    }

    @Test func qloraLoadsIn4Bit() {
        let spec = JobSpec(jobName: "q", baseModel: "m", datasetID: 1, method: .qlora)
        let yaml = AxolotlConfig.render(spec, paths: JobPaths(baseModel: "/m", trainFile: "/t", valFile: nil, outputDir: "/o"))
        #expect(yaml.contains("adapter: qlora\nload_in_4bit: true\nlora_r: 8\nlora_alpha: 16\n"))
    }

    @Test func quoting() {
        #expect(YAMLScalar.quoted("plain") == "\"plain\"")
        #expect(YAMLScalar.quoted("a\"b\\c") == #""a\"b\\c""#)
        #expect(YAMLScalar.quoted("line1\nline2\ttab\r") == #""line1\nline2\ttab\r""#)
        #expect(YAMLScalar.quoted("x\u{1}y\u{7F}\u{2028}") == #""x\x01y\x7F\L""#)
        #expect(YAMLScalar.quoted("법률 QA: yes # no") == "\"법률 QA: yes # no\"")
        #expect(YAMLScalar.quoted("") == "\"\"")
    }

    @Test func numbersReadBackAsFloatsInYAML11() {
        #expect(YAMLScalar.number(2e-4) == "0.0002")
        #expect(YAMLScalar.number(5e-5) == "5.0e-05")
        #expect(YAMLScalar.number(1e-10) == "1.0e-10")
        #expect(YAMLScalar.number(1.5e-7) == "1.5e-07")
        #expect(YAMLScalar.number(16) == "16")
        #expect(YAMLScalar.number(0.05) == "0.05")
        #expect(YAMLScalar.number(1e20) == "1.0e+20")
    }
}

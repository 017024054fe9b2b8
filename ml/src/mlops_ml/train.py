"""The fine-tuning runner: full / LoRA / QLoRA on HF Trainer, reporting JSON
events (see events.py and ml/README.md)."""
from __future__ import annotations

import json
import math
import os
import signal
import time
import traceback
from typing import Any

from . import events
from .chat import DataError, encode_sample, ensure_chat_template, precheck_file, read_jsonl
from .spec import JobSpec, is_complete_checkpoint

EXIT_OK, EXIT_FAILED, EXIT_BAD_SPEC, EXIT_STOPPED = 0, 1, 2, 143


class _Stop:
    """SIGTERM/SIGINT state. Before training starts a signal aborts at once
    (nothing to save); during training it asks the callback to checkpoint at
    the end of the current step; afterwards (final save) it is ignored."""

    def __init__(self) -> None:
        self.phase = "setup"  # setup | training | finishing
        self.requested = False
        self.signal = None
        self.stop_step: int | None = None

    def handler(self, signum, _frame):
        self.requested = True
        self.signal = signum
        if self.phase == "setup":
            raise _Aborted(signum)


class _Aborted(Exception):
    pass


def _perplexity(loss):
    if loss is None:
        return None
    try:
        return math.exp(min(float(loss), 50.0))
    except (TypeError, ValueError):
        return None


def _epoch(e):
    return round(float(e), 4) if e is not None else None


def _dir_size(path: str) -> int:
    total = 0
    for dp, _dn, fns in os.walk(path):
        for fn in fns:
            try:
                total += os.path.getsize(os.path.join(dp, fn))
            except OSError:
                pass
    return total


def _load_dataset(tokenizer, path: str, max_len: int):
    rows, dropped, n = [], 0, 0
    for line, obj in read_jsonl(path):
        n += 1
        try:
            enc = encode_sample(tokenizer, obj, max_len)
        except DataError as e:
            raise DataError(f"{path}:{line}: {e}", line) from None
        if enc is None:
            dropped += 1
        else:
            rows.append(enc)
    if not rows:
        raise DataError(f"{path}: no usable samples ({n} lines, {dropped} without assistant tokens)")
    return rows, n, dropped


def count_4bit_layers(model) -> int:
    try:
        import bitsandbytes as bnb
    except Exception:  # noqa: BLE001
        return 0
    return sum(1 for m in model.modules() if isinstance(m, bnb.nn.Linear4bit))


def load_model(method: str, base_model: str, hp: dict[str, Any]):
    """The model to train: full (fp32 weights), LoRA, or QLoRA (4-bit NF4 base
    via bitsandbytes + LoRA adapters)."""
    import torch
    from transformers import AutoModelForCausalLM

    cuda = torch.cuda.is_available()
    bf16 = cuda and torch.cuda.is_bf16_supported()
    half = torch.bfloat16 if bf16 else (torch.float16 if cuda else torch.float32)
    if method == "full":
        model = AutoModelForCausalLM.from_pretrained(base_model, dtype=torch.float32)
    else:
        from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

        if method == "qlora":
            from transformers import BitsAndBytesConfig

            qconf = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                       bnb_4bit_compute_dtype=half, bnb_4bit_use_double_quant=True,
                                       bnb_4bit_quant_storage=torch.uint8)
            model = AutoModelForCausalLM.from_pretrained(base_model, quantization_config=qconf,
                                                         dtype=half, device_map={"": 0 if cuda else "cpu"})
            if not cuda:
                # bitsandbytes 0.50 repacks 4-bit weights for AVX512-BF16 CPU
                # inference on the first forward in eval mode and never packs
                # them back: training after an evaluation then fails
                # ("a view of a leaf Variable ... in-place"). Keep the
                # training layout.
                import bitsandbytes as bnb

                for mod in model.modules():
                    if isinstance(mod, bnb.nn.Linear4bit):
                        mod.support_avx512bf16_for_cpu = False
            gc = hp["gradient_checkpointing"] if hp["gradient_checkpointing"] is not None else cuda
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=gc)
        else:
            model = AutoModelForCausalLM.from_pretrained(base_model, dtype=half)
        lconf = LoraConfig(r=hp["lora_rank"], lora_alpha=hp["lora_alpha"], lora_dropout=hp["lora_dropout"],
                           target_modules="all-linear", bias="none", task_type="CAUSAL_LM")
        model = get_peft_model(model, lconf)
    return model


def run(spec: JobSpec) -> int:
    stop = _Stop()
    signal.signal(signal.SIGTERM, stop.handler)
    signal.signal(signal.SIGINT, stop.handler)
    try:
        return _run(spec, stop)
    except _Aborted:
        events.emit("stopped", job_id=spec.job_id, step=None, checkpoint=None,
                    message="stopped before training started; nothing to save")
        return EXIT_STOPPED


def _run(spec: JobSpec, stop: _Stop) -> int:
    hp = spec.hyperparameters
    events.log(f"job {spec.job_id}: {spec.method} fine-tune of {spec.base_model}", job_id=spec.job_id,
               method=spec.method)
    for w in spec.warnings:
        events.log(w, level="warning")

    for field, path in (("train_file", spec.train_file), ("val_file", spec.val_file)):
        if path:
            try:
                precheck_file(path)
            except (DataError, OSError, UnicodeDecodeError) as e:
                events.error(str(e), field=field)
                return EXIT_BAD_SPEC

    import torch
    import transformers
    from transformers import (AutoTokenizer, PrinterCallback, ProgressCallback,
                              Trainer, TrainerCallback, TrainingArguments, set_seed)

    transformers.utils.logging.set_verbosity_warning()
    transformers.utils.logging.disable_progress_bar()

    set_seed(hp["seed"])
    cuda = torch.cuda.is_available()
    bf16 = cuda and torch.cuda.is_bf16_supported()

    # ---------------------------------------------------------------- data
    tokenizer = AutoTokenizer.from_pretrained(spec.base_model)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    ensure_chat_template(tokenizer)
    try:
        train_rows, n_train, drop_train = _load_dataset(tokenizer, spec.train_file, hp["max_seq_length"])
        val_rows = None
        if spec.val_file:
            val_rows, n_val, drop_val = _load_dataset(tokenizer, spec.val_file, hp["max_seq_length"])
    except DataError as e:
        field = "val_file" if spec.val_file and str(e).startswith(spec.val_file + ":") else "train_file"
        events.error(str(e), field=field)
        return EXIT_BAD_SPEC
    events.log(f"train samples: {len(train_rows)} (of {n_train}; {drop_train} without assistant tokens)"
               + (f"; val samples: {len(val_rows)}" if val_rows else ""),
               train_samples=len(train_rows), val_samples=len(val_rows) if val_rows else 0)

    pad_id = tokenizer.pad_token_id

    def collate(batch: list[dict[str, list[int]]]) -> dict[str, Any]:
        n = max(len(b["input_ids"]) for b in batch)
        if cuda:
            n = (n + 7) // 8 * 8
        ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
        labels = torch.full((len(batch), n), -100, dtype=torch.long)
        att = torch.zeros((len(batch), n), dtype=torch.long)
        for i, b in enumerate(batch):
            k = len(b["input_ids"])
            ids[i, :k] = torch.tensor(b["input_ids"])
            labels[i, :k] = torch.tensor(b["labels"])
            att[i, :k] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": att}

    # ---------------------------------------------------------------- model
    model = load_model(spec.method, spec.base_model, hp)
    if model.generation_config is not None and model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = pad_id
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    n4 = count_4bit_layers(model)
    events.log(f"model loaded: {total} parameters, {trainable} trainable"
               + (f", {n4} 4-bit layers" if n4 else ""), parameters=total,
               trainable_parameters=trainable, quantized_layers=n4, device="cuda" if cuda else "cpu")

    # ---------------------------------------------------------------- trainer
    os.makedirs(spec.output_dir, exist_ok=True)
    has_eval = val_rows is not None
    eval_strategy = "no"
    if has_eval:
        eval_strategy = "steps" if hp["eval_steps"] else "epoch"
    gc_full = bool(hp["gradient_checkpointing"]) and spec.method != "qlora"
    import inspect

    ta_params = inspect.signature(TrainingArguments.__init__).parameters
    gc_arg = {"activation_checkpointing" if "activation_checkpointing" in ta_params
              else "gradient_checkpointing": gc_full}
    args = TrainingArguments(
        output_dir=spec.output_dir,
        per_device_train_batch_size=hp["batch_size"],
        per_device_eval_batch_size=hp["batch_size"],
        gradient_accumulation_steps=hp["gradient_accumulation_steps"],
        learning_rate=hp["learning_rate"],
        num_train_epochs=hp["num_epochs"],
        max_steps=hp["max_steps"] or -1,
        warmup_steps=hp["warmup_steps"],
        weight_decay=hp["weight_decay"],
        max_grad_norm=hp["max_grad_norm"],
        lr_scheduler_type=hp["lr_scheduler_type"],
        logging_strategy="steps",
        logging_steps=hp["logging_steps"],
        logging_first_step=True,
        save_strategy="steps",
        save_steps=hp["save_steps"],
        save_total_limit=hp["save_total_limit"],
        eval_strategy=eval_strategy,
        eval_steps=hp["eval_steps"],
        eval_on_start=hp["eval_on_start"],
        seed=hp["seed"],
        data_seed=hp["seed"],
        bf16=bf16,
        fp16=cuda and not bf16,
        **gc_arg,
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
        dataloader_pin_memory=cuda,
        remove_unused_columns=False,
        use_cpu=not cuda,
    )

    class _TokenCountingTrainer(Trainer):
        tokens_seen = 0

        def training_step(self, model, inputs, *a, **kw):
            am = inputs.get("attention_mask")
            if am is not None:
                _TokenCountingTrainer.tokens_seen += int(am.sum().item())
            return super().training_step(model, inputs, *a, **kw)

    class _Events(TrainerCallback):
        def __init__(self) -> None:
            self.total = None
            self.t_last = None
            self.tok_last = 0
            self.eval_time = 0.0
            self.best_eval = None
            self.bad_evals = 0
            self.summary: dict[str, Any] = {}
            self.last: dict[str, Any] = {}

        def on_train_begin(self, args, state, control, **kw):
            self.total = state.max_steps
            self.t_last = time.monotonic()
            self.tok_last = _TokenCountingTrainer.tokens_seen
            events.emit("progress", step=state.global_step, total=state.max_steps, epoch=_epoch(state.epoch or 0.0))

        def _gpu_gb(self):
            return torch.cuda.max_memory_allocated() / 2**30 if cuda else 0.0

        def on_log(self, args, state, control, logs=None, **kw):
            logs = dict(logs or {})
            if "train_runtime" in logs:
                self.summary = logs
                return
            is_eval = "eval_loss" in logs
            ev = {"step": state.global_step, "epoch": _epoch(state.epoch), "loss": logs.get("loss"),
                  "eval_loss": logs.get("eval_loss"), "perplexity": None,
                  "learning_rate": logs.get("learning_rate"), "grad_norm": logs.get("grad_norm"),
                  "tokens_per_second": None, "gpu_memory_gb": self._gpu_gb()}
            if is_eval:
                self.eval_time += float(logs.get("eval_runtime") or 0.0)
                ev["perplexity"] = _perplexity(logs["eval_loss"])
            else:
                now = time.monotonic()
                dt = max(now - self.t_last - self.eval_time, 1e-6)
                ev["tokens_per_second"] = (_TokenCountingTrainer.tokens_seen - self.tok_last) / dt
                self.t_last, self.tok_last, self.eval_time = now, _TokenCountingTrainer.tokens_seen, 0.0
                ev["perplexity"] = _perplexity(logs.get("loss"))
            for k in ("loss", "eval_loss", "perplexity", "learning_rate", "grad_norm"):
                if ev[k] is not None:
                    self.last[k] = ev[k]
            events.emit("metrics", **ev)

        def on_evaluate(self, args, state, control, metrics=None, **kw):
            patience = hp["early_stopping_patience"]
            loss = (metrics or {}).get("eval_loss")
            if not patience or loss is None:
                return
            if self.best_eval is None or loss < self.best_eval:
                self.best_eval, self.bad_evals = loss, 0
            else:
                self.bad_evals += 1
                if self.bad_evals >= patience:
                    events.log(f"early stopping: eval_loss did not improve for {patience} evaluations "
                               f"(best {self.best_eval:.4f})", step=state.global_step)
                    control.should_training_stop = True
            return control

        def on_step_end(self, args, state, control, **kw):
            events.emit("progress", step=state.global_step, total=self.total, epoch=_epoch(state.epoch))
            if stop.requested and stop.stop_step is None:
                stop.stop_step = state.global_step
                events.log(f"signal {stop.signal}: saving a checkpoint at step {state.global_step} and stopping",
                           step=state.global_step)
                control.should_save = True
                control.should_training_stop = True
            return control

        def on_save(self, args, state, control, **kw):
            path = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
            if is_complete_checkpoint(path):
                events.emit("checkpoint", step=state.global_step, path=os.path.abspath(path),
                            size=_dir_size(path), epoch=_epoch(state.epoch))
            else:
                events.log(f"checkpoint {path} is incomplete", level="warning")

    cb = _Events()
    trainer = _TokenCountingTrainer(model=model, args=args, train_dataset=train_rows, eval_dataset=val_rows,
                                    data_collator=collate, processing_class=tokenizer, callbacks=[cb])
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)

    if spec.resume_from:
        with open(os.path.join(spec.resume_from, "trainer_state.json"), encoding="utf-8") as f:
            resumed_step = json.load(f).get("global_step")
        events.log(f"resuming from {spec.resume_from} at step {resumed_step}", step=resumed_step,
                   checkpoint=os.path.abspath(spec.resume_from))

    stop.phase = "training"
    if stop.requested:  # a signal during setup raced the phase switch
        raise _Aborted(stop.signal)
    t0 = time.monotonic()
    trainer.train(resume_from_checkpoint=spec.resume_from or None)
    stop.phase = "finishing"
    state = trainer.state

    if stop.stop_step is not None:
        ckpt = os.path.join(spec.output_dir, f"checkpoint-{stop.stop_step}")
        ok = is_complete_checkpoint(ckpt)
        events.emit("stopped", job_id=spec.job_id, step=stop.stop_step,
                    checkpoint=os.path.abspath(ckpt) if ok else None,
                    message=f"stopped by signal {stop.signal}")
        return EXIT_STOPPED

    # ---------------------------------------------------------------- finish
    final: dict[str, Any] = {}
    if has_eval:
        evaluated_now = any(h.get("step") == state.global_step and "eval_loss" in h for h in state.log_history)
        if not evaluated_now:
            trainer.evaluate()  # emits a metrics event through on_log
    final.update(cb.last)
    final["perplexity"] = _perplexity(final.get("eval_loss", final.get("loss")))
    final["train_loss"] = cb.summary.get("train_loss")
    final["train_runtime"] = cb.summary.get("train_runtime")
    final["train_samples_per_second"] = cb.summary.get("train_samples_per_second")
    final["tokens_seen"] = _TokenCountingTrainer.tokens_seen
    final["tokens_per_second"] = _TokenCountingTrainer.tokens_seen / max(time.monotonic() - t0, 1e-6)
    final["gpu_memory_gb"] = cb._gpu_gb()

    if spec.method == "full":
        trainer.save_model(spec.output_dir)
        artifacts = ["model.safetensors", "config.json"]
    else:
        trainer.model.save_pretrained(spec.output_dir)
        artifacts = ["adapter_config.json", "adapter_model.safetensors"]
    tokenizer.save_pretrained(spec.output_dir)
    with open(os.path.join(spec.output_dir, "mlops_result.json"), "w", encoding="utf-8") as f:
        json.dump({"job_id": spec.job_id, "method": spec.method, "base_model": os.path.abspath(spec.base_model),
                   "global_step": state.global_step, "metrics": final, "hyperparameters": spec.hyperparameters},
                  f, indent=2, default=str)
    events.emit("result", job_id=spec.job_id, method=spec.method, output_dir=os.path.abspath(spec.output_dir),
                step=state.global_step, total=cb.total, epoch=_epoch(state.epoch), metrics=final,
                artifacts=[a for a in artifacts if os.path.exists(os.path.join(spec.output_dir, a))],
                size=sum(os.path.getsize(os.path.join(spec.output_dir, a)) for a in artifacts
                         if os.path.exists(os.path.join(spec.output_dir, a))))
    return EXIT_OK


def run_safely(spec: JobSpec) -> int:
    try:
        return run(spec)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        events.error(f"training failed: {type(e).__name__}: {e}", field=None)
        return EXIT_FAILED

"""Real fine-tuning runs of the tiny model on CPU."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import cli_env, parse_events, run_cli, Run


def _train_losses(run):
    return [e["loss"] for e in run.of("metrics") if e["loss"] is not None]


def _check_metrics_schema(run):
    keys = {"step", "epoch", "loss", "eval_loss", "perplexity", "learning_rate", "grad_norm",
            "tokens_per_second", "gpu_memory_gb"}
    ms = run.of("metrics")
    assert ms
    for m in ms:
        assert keys <= set(m), m
        assert m["gpu_memory_gb"] == 0
    train = [m for m in ms if m["loss"] is not None]
    assert all(m["tokens_per_second"] > 0 and m["grad_norm"] is not None for m in train)
    assert any(m["eval_loss"] is not None for m in ms)


def test_lora_run_lowers_loss_and_saves_an_adapter(make_spec, tiny_model):
    path, spec = make_spec("lora", hyperparameters={"num_epochs": 2, "save_steps": 25})
    r = run_cli("train", "--spec", path)
    assert r.rc == 0, r.stderr[-3000:]
    _check_metrics_schema(r)
    losses = _train_losses(r)
    assert losses[-1] < losses[0]
    ckpts = r.of("checkpoint")
    assert [c["step"] for c in ckpts] == [25, 40]
    assert all(os.path.isfile(os.path.join(c["path"], "trainer_state.json")) and c["size"] > 0 for c in ckpts)
    res = r.one("result")
    assert res["step"] == res["total"] == 40
    assert res["metrics"]["eval_loss"] is not None and res["metrics"]["tokens_seen"] > 0
    out = spec["output_dir"]
    for f in ("adapter_config.json", "adapter_model.safetensors"):
        assert os.path.isfile(os.path.join(out, f))
    progress = r.of("progress")
    assert progress[-1]["step"] == progress[-1]["total"] == 40

    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    model = PeftModel.from_pretrained(base, out)
    assert any("lora_A" in n for n, _ in model.named_parameters())
    assert model.peft_config["default"].r == 8


def test_full_run_learns(make_spec):
    path, spec = make_spec("full", hyperparameters={"num_epochs": 2, "learning_rate": 3e-3})
    r = run_cli("train", "--spec", path)
    assert r.rc == 0, r.stderr[-3000:]
    _check_metrics_schema(r)
    losses = _train_losses(r)
    assert losses[-1] < 0.8 * losses[0], losses
    evals = [m["eval_loss"] for m in r.of("metrics") if m["eval_loss"] is not None]
    assert evals[-1] < 0.8 * 6.7
    assert os.path.isfile(os.path.join(spec["output_dir"], "model.safetensors"))
    from transformers import AutoModelForCausalLM

    AutoModelForCausalLM.from_pretrained(spec["output_dir"])


def _start(path, *extra):
    return subprocess.Popen([sys.executable, "-m", "mlops_ml", "train", "--spec", path, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())


def test_sigterm_saves_a_checkpoint_and_resume_finishes(make_spec):
    # 160 samples / batch 4 = 40 steps per epoch, 2 epochs = 80 steps
    path, spec = make_spec("lora", hyperparameters={"batch_size": 4, "num_epochs": 2, "logging_steps": 2})
    p = _start(path)
    lines = []
    for line in p.stdout:
        lines.append(line)
        ev = json.loads(line)
        if ev["type"] == "progress" and ev["step"] >= 10:
            p.send_signal(signal.SIGTERM)
            break
    rest, err = p.communicate(timeout=120)
    r = Run(p.returncode, parse_events("".join(lines) + rest), err)
    assert r.rc == 143, err[-3000:]
    ck = r.one("checkpoint")
    stopped = r.one("stopped")
    assert r.events.index(ck) < r.events.index(stopped)
    assert 10 <= ck["step"] < 80 and stopped["checkpoint"] == ck["path"] == os.path.join(
        spec["output_dir"], f"checkpoint-{ck['step']}")
    assert os.path.isfile(os.path.join(ck["path"], "trainer_state.json"))
    assert not r.of("result")

    r2 = run_cli("train", "--spec", path, "--resume-from", ck["path"])
    assert r2.rc == 0, r2.stderr[-3000:]
    steps = [e["step"] for e in r2.events if e["type"] in ("progress", "metrics")]
    assert steps[0] >= ck["step"]  # progress at train begin reports where it resumes
    after = [s for s in steps if s != ck["step"]]
    assert after and after[0] > ck["step"]
    assert min(e["step"] for e in r2.of("metrics")) > ck["step"]
    res = r2.one("result")
    assert res["step"] == res["total"] == 80
    assert r2.of("progress")[-1]["step"] == 80
    resumed = [e for e in r2.of("log") if "resuming" in e["message"]]
    assert resumed and resumed[0]["step"] == ck["step"]


def test_runner_exits_when_its_parent_is_killed(make_spec):
    path, _ = make_spec("lora", hyperparameters={"num_epochs": 500})
    code = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-m', 'mlops_ml', 'train', "
            f"'--spec', {path!r}], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            "print(p.pid, flush=True); p.wait()")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=cli_env())
    child = int(parent.stdout.readline())
    time.sleep(1.0)
    parent.kill()
    parent.wait()

    def alive(pid):
        try:
            with open(f"/proc/{pid}/status") as f:
                return "\nState:\tZ" not in f.read()
        except FileNotFoundError:
            return False

    deadline = time.time() + 20
    while alive(child) and time.time() < deadline:
        time.sleep(0.2)
    still = alive(child)
    if still:
        os.kill(child, signal.SIGKILL)
    assert not still, "the runner outlived its parent"


def test_qlora_on_cpu_uses_4bit_layers(make_spec, tiny_model):
    import bitsandbytes as bnb

    from mlops_ml.spec import HYPERPARAMETERS
    from mlops_ml.train import load_model

    hp = {k: v[1] for k, v in HYPERPARAMETERS.items()}
    model = load_model("qlora", tiny_model, hp)
    n4 = sum(1 for m in model.modules() if isinstance(m, bnb.nn.Linear4bit))
    assert n4 == 2 * 7  # q, k, v, o, gate, up, down per layer
    w = next(m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)).weight
    assert w.quant_state.quant_type == "nf4"

    path, spec = make_spec("qlora", hyperparameters={"num_epochs": 2, "batch_size": 16})
    r = run_cli("train", "--spec", path)
    assert r.rc == 0, r.stderr[-3000:]
    loaded = [e for e in r.of("log") if "quantized_layers" in e]
    assert loaded and loaded[0]["quantized_layers"] == 14
    res = r.one("result")
    assert res["step"] == 20 and res["metrics"]["eval_loss"] is not None
    assert os.path.isfile(os.path.join(spec["output_dir"], "adapter_model.safetensors"))


@pytest.mark.parametrize("change,field", [
    ({"method": "dpo"}, "method"),
    ({"hyperparameters": {"lora_rank": 0}}, "hyperparameters.lora_rank"),
    ({"hyperparameters": {"learning_rate": -1e-4}}, "hyperparameters.learning_rate"),
    ({"hyperparameters": {"batch_size": "8"}}, "hyperparameters.batch_size"),
    ({"train_file": "/nonexistent/train.jsonl"}, "train_file"),
    ({"val_file": "/nonexistent/val.jsonl"}, "val_file"),
    ({"base_model": "/nonexistent/model"}, "base_model"),
    ({"job_id": None}, "job_id"),
    ({"resume_from": "/nonexistent/checkpoint-5"}, "resume_from"),
])
def test_bad_spec_exits_2_naming_the_field(make_spec, tmp_path, change, field):
    path, spec = make_spec("lora")
    for k, v in change.items():
        if k == "hyperparameters":
            spec["hyperparameters"].update(v)
        else:
            spec[k] = v
    with open(path, "w") as f:
        json.dump(spec, f)
    r = run_cli("train", "--spec", path)
    assert r.rc == 2
    err = r.one("error")
    assert err["field"] == field and err["message"]
    assert len(r.events) == 1


def test_unreadable_spec_and_bad_data(tmp_path, make_spec):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = run_cli("train", "--spec", str(bad))
    assert r.rc == 2 and r.one("error")["field"] == "spec"

    data = tmp_path / "bad.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}\n'
                    "not json\n")
    path, _ = make_spec("lora", train_file=str(data))
    r = run_cli("train", "--spec", path)
    assert r.rc == 2 and r.one("error")["field"] == "train_file"

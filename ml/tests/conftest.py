"""Shared fixtures: a tiny model and synthetic chat data, built once per session.
Every CLI run goes through `run_cli`, which also checks that stdout carries
JSON objects with a "type" only."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return env


def parse_events(stdout: str) -> list[dict]:
    out = []
    for line in stdout.splitlines():
        obj = json.loads(line)  # raises on anything that is not JSON
        assert isinstance(obj, dict) and isinstance(obj.get("type"), str), line
        out.append(obj)
    return out


class Run:
    def __init__(self, rc: int, events: list[dict], stderr: str):
        self.rc, self.events, self.stderr = rc, events, stderr

    def of(self, type_: str) -> list[dict]:
        return [e for e in self.events if e["type"] == type_]

    def one(self, type_: str) -> dict:
        evs = self.of(type_)
        assert len(evs) == 1, (type_, self.events, self.stderr[-3000:])
        return evs[0]


def run_cli(*args: str, timeout: float = 240) -> Run:
    p = subprocess.run([sys.executable, "-m", "mlops_ml", *args], capture_output=True, text=True,
                       env=cli_env(), timeout=timeout)
    return Run(p.returncode, parse_events(p.stdout), p.stderr)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    out = str(tmp_path_factory.mktemp("tiny") / "model")
    r = run_cli("tiny-model", "--out", out)
    assert r.rc == 0, r.stderr[-3000:]
    assert r.one("result")["output_dir"] == out
    return out


@pytest.fixture(scope="session")
def data(tmp_path_factory) -> dict[str, str]:
    from mlops_ml.tiny import sample_conversations, write_jsonl

    d = tmp_path_factory.mktemp("data")
    train, val = str(d / "train.jsonl"), str(d / "val.jsonl")
    write_jsonl(train, sample_conversations(160, seed=0))
    write_jsonl(val, sample_conversations(32, seed=1))
    return {"train": train, "val": val}


@pytest.fixture
def make_spec(tmp_path, tiny_model, data):
    def make(method: str = "lora", **over) -> tuple[str, dict]:
        hp = {"lora_rank": 8, "lora_alpha": 16, "learning_rate": 5e-3, "batch_size": 8, "num_epochs": 1,
              "logging_steps": 5, "save_steps": 1000, "max_seq_length": 128, "seed": 1}
        hp.update(over.pop("hyperparameters", {}))
        spec = {"job_id": f"test-{method}", "method": method, "base_model": tiny_model,
                "train_file": data["train"], "val_file": data["val"],
                "output_dir": str(tmp_path / f"out-{method}"), "hyperparameters": hp, "resume_from": None}
        spec.update(over)
        path = str(tmp_path / f"spec-{method}.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        return path, spec

    return make

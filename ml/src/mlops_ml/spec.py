"""The training job spec: parsing, defaults and validation (no torch import)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

METHODS = ("full", "lora", "qlora")


class SpecError(Exception):
    """A bad job spec; `field` names the offending key (dotted path)."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# name -> (kind, default, constraint, nullable); kinds: int, float, str, bool;
# constraints: "pos" (> 0), "nonneg" (>= 0), "unit" (0 <= x < 1), None
HYPERPARAMETERS: dict[str, tuple[str, Any, str | None, bool]] = {
    "lora_rank": ("int", 8, "pos", False),
    "lora_alpha": ("float", 16.0, "pos", False),
    "lora_dropout": ("float", 0.05, "unit", False),
    "learning_rate": ("float", None, "pos", False),  # default depends on method
    "batch_size": ("int", 4, "pos", False),
    "gradient_accumulation_steps": ("int", 1, "pos", False),
    "num_epochs": ("float", 1.0, "pos", False),
    "max_steps": ("int", None, "pos", True),
    "warmup_steps": ("int", 0, "nonneg", False),
    "max_seq_length": ("int", 512, "pos", False),
    "save_steps": ("int", 500, "pos", False),
    "save_total_limit": ("int", None, "pos", True),
    "eval_steps": ("int", None, "pos", True),
    "eval_on_start": ("bool", False, None, False),
    "early_stopping_patience": ("int", None, "pos", True),
    "logging_steps": ("int", 10, "pos", False),
    "seed": ("int", 42, "nonneg", False),
    "weight_decay": ("float", 0.0, "nonneg", False),
    "max_grad_norm": ("float", 1.0, "pos", False),
    "lr_scheduler_type": ("str", "linear", None, False),
    "gradient_checkpointing": ("bool", None, None, True),  # default: qlora on GPU
}

# The largest value of each numeric key: the same table as the trainer's
# (TrainerDomain Hyperparameters.maximum), checked again here before torch.
MAXIMUM: dict[str, float] = {
    "lora_rank": 1024, "lora_alpha": 4096, "lora_dropout": 1, "learning_rate": 1,
    "batch_size": 4096, "gradient_accumulation_steps": 4096, "num_epochs": 1000,
    "max_steps": 10_000_000, "warmup_steps": 10_000_000, "max_seq_length": 131_072,
    "save_steps": 10_000_000, "save_total_limit": 1000, "eval_steps": 10_000_000,
    "early_stopping_patience": 1000, "logging_steps": 1_000_000, "seed": 4_294_967_295,
    "weight_decay": 10, "max_grad_norm": 1_000_000,
}

DEFAULT_LR = {"full": 5e-5, "lora": 2e-4, "qlora": 2e-4}
SCHEDULERS = ("linear", "cosine", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial")


@dataclass
class JobSpec:
    job_id: str
    method: str
    base_model: str
    train_file: str
    val_file: str | None
    output_dir: str
    hyperparameters: dict[str, Any]
    resume_from: str | None
    warnings: list[str] = field(default_factory=list)


def _check_value(name: str, value: Any, kind: str, constraint: str | None, nullable: bool) -> Any:
    path = f"hyperparameters.{name}"
    if value is None:
        if nullable:
            return None
        raise SpecError(path, f"{name} must not be null")
    if kind == "bool":
        if not isinstance(value, bool):
            raise SpecError(path, f"{name} must be a boolean, got {value!r}")
        return value
    if kind == "str":
        if not isinstance(value, str) or not value:
            raise SpecError(path, f"{name} must be a non-empty string, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(path, f"{name} must be a number, got {value!r}")
    if kind == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise SpecError(path, f"{name} must be an integer, got {value!r}")
            value = int(value)
    else:
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise SpecError(path, f"{name} must be finite, got {value!r}")
    if constraint == "pos" and not value > 0:
        raise SpecError(path, f"{name} must be > 0, got {value!r}")
    if constraint == "nonneg" and not value >= 0:
        raise SpecError(path, f"{name} must be >= 0, got {value!r}")
    if constraint == "unit" and not (0 <= value < 1):
        raise SpecError(path, f"{name} must be in [0, 1), got {value!r}")
    if name in MAXIMUM and value > MAXIMUM[name]:
        raise SpecError(path, f"{name} must be at most {MAXIMUM[name]:g}, got {value!r}")
    return value


def is_complete_checkpoint(path: str) -> bool:
    """HF Trainer writes trainer_state.json last: only then is a checkpoint whole."""
    return os.path.isfile(os.path.join(path, "trainer_state.json"))


def last_complete_checkpoint(output_dir: str) -> str | None:
    best = None
    if not os.path.isdir(output_dir):
        return None
    for name in os.listdir(output_dir):
        if not name.startswith("checkpoint-"):
            continue
        try:
            step = int(name.split("-", 1)[1])
        except ValueError:
            continue
        p = os.path.join(output_dir, name)
        if os.path.isdir(p) and is_complete_checkpoint(p) and (best is None or step > best[0]):
            best = (step, p)
    return best[1] if best else None


def _req_str(obj: dict, key: str) -> str:
    v = obj.get(key)
    if v is None:
        raise SpecError(key, f"{key} is required")
    if not isinstance(v, str) or not v.strip():
        raise SpecError(key, f"{key} must be a non-empty string, got {v!r}")
    return v


def validate(obj: Any, resume_override: str | None = None) -> JobSpec:
    if not isinstance(obj, dict):
        raise SpecError(None, "the job spec must be a JSON object")
    warnings: list[str] = []
    job_id = _req_str(obj, "job_id")
    method = obj.get("method")
    if method not in METHODS:
        raise SpecError("method", f"method must be one of {', '.join(METHODS)}, got {method!r}")

    base_model = _req_str(obj, "base_model")
    if not os.path.isdir(base_model):
        raise SpecError("base_model", f"base_model {base_model!r} is not a directory")
    if not os.path.isfile(os.path.join(base_model, "config.json")):
        raise SpecError("base_model", f"base_model {base_model!r} has no config.json")

    train_file = _req_str(obj, "train_file")
    if not os.path.isfile(train_file):
        raise SpecError("train_file", f"train_file {train_file!r} does not exist")
    val_file = obj.get("val_file")
    if val_file is not None:
        if not isinstance(val_file, str) or not val_file:
            raise SpecError("val_file", f"val_file must be a path or null, got {val_file!r}")
        if not os.path.isfile(val_file):
            raise SpecError("val_file", f"val_file {val_file!r} does not exist")

    output_dir = _req_str(obj, "output_dir")
    if os.path.exists(output_dir) and not os.path.isdir(output_dir):
        raise SpecError("output_dir", f"output_dir {output_dir!r} exists and is not a directory")

    hp_in = obj.get("hyperparameters") or {}
    if not isinstance(hp_in, dict):
        raise SpecError("hyperparameters", "hyperparameters must be an object")
    hp: dict[str, Any] = {}
    for name, (kind, default, constraint, nullable) in HYPERPARAMETERS.items():
        if name in hp_in:
            hp[name] = _check_value(name, hp_in[name], kind, constraint, nullable)
        else:
            hp[name] = default
    for name in hp_in:
        if name not in HYPERPARAMETERS:
            warnings.append(f"unknown hyperparameter {name!r} ignored")
    if hp["learning_rate"] is None:
        hp["learning_rate"] = DEFAULT_LR[method]
    if hp["lr_scheduler_type"] not in SCHEDULERS:
        raise SpecError("hyperparameters.lr_scheduler_type",
                        f"lr_scheduler_type must be one of {', '.join(SCHEDULERS)}")
    if hp["early_stopping_patience"] is not None and val_file is None:
        raise SpecError("hyperparameters.early_stopping_patience", "early_stopping_patience needs a val_file")
    if hp["eval_on_start"] and val_file is None:
        raise SpecError("hyperparameters.eval_on_start", "eval_on_start needs a val_file")

    resume = resume_override if resume_override is not None else obj.get("resume_from")
    field_name = "resume_from"
    if resume is not None:
        if not isinstance(resume, str) or not resume:
            raise SpecError(field_name, f"resume_from must be a checkpoint path, 'latest' or null, got {resume!r}")
        if resume == "latest":
            resume = last_complete_checkpoint(output_dir)
            if resume is None:
                warnings.append("resume_from=latest: no complete checkpoint in output_dir; starting fresh")
        elif not os.path.isdir(resume):
            raise SpecError(field_name, f"checkpoint {resume!r} does not exist")
        elif not is_complete_checkpoint(resume):
            raise SpecError(field_name, f"checkpoint {resume!r} is incomplete (no trainer_state.json)")

    return JobSpec(job_id=job_id, method=method, base_model=base_model, train_file=train_file,
                   val_file=val_file, output_dir=output_dir, hyperparameters=hp,
                   resume_from=resume, warnings=warnings)


def load(path: str, resume_override: str | None = None) -> JobSpec:
    try:
        with open(path, encoding="utf-8") as f:
            obj = json.load(f)
    except FileNotFoundError:
        raise SpecError("spec", f"spec file {path!r} does not exist") from None
    except (OSError, ValueError) as e:
        raise SpecError("spec", f"cannot read spec {path!r}: {e}") from None
    return validate(obj, resume_override)

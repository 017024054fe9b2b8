"""JSON-lines events on the process's real stdout.

`redirect_stdout()` keeps the original stdout file descriptor for events and
points fd 1 (and `sys.stdout`) at stderr, so that anything a library prints --
Python or C level -- lands on stderr and stdout carries JSON objects only.
"""
from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from typing import Any, TextIO

_lock = threading.Lock()
_out: TextIO | None = None


def redirect_stdout() -> None:
    global _out
    if _out is not None:
        return
    sys.stdout.flush()
    fd = os.dup(1)
    os.dup2(2, 1)
    _out = os.fdopen(fd, "w", buffering=1, encoding="utf-8")
    sys.stdout = sys.stderr


def _clean(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "item") and callable(v.item):  # numpy / torch scalars
        try:
            return _clean(v.item())
        except Exception:  # noqa: BLE001
            return str(v)
    return v


def emit(type_: str, **fields: Any) -> None:
    """Write one event: {"type": type_, "time": <unix seconds>, **fields}."""
    obj = {"type": type_, "time": round(time.time(), 3)}
    obj.update(_clean(fields))
    line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)
    out = _out if _out is not None else sys.stdout
    with _lock:
        out.write(line + "\n")
        out.flush()


def log(message: str, level: str = "info", **fields: Any) -> None:
    emit("log", level=level, message=message, **fields)


def error(message: str, field: str | None = None, **fields: Any) -> None:
    emit("error", message=message, field=field, **fields)

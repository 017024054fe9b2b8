"""Token counts of a chat JSONL file with a real tokenizer (chat template applied)."""
from __future__ import annotations

import json
import math
import os
from typing import Any

from . import events
from .chat import DataError, count_tokens


def _percentile(sorted_vals: list[int], p: float) -> int:
    # nearest-rank
    k = max(1, math.ceil(p / 100 * len(sorted_vals)))
    return sorted_vals[k - 1]


def histogram(vals: list[int], bins: int = 20) -> dict[str, list]:
    lo, hi = min(vals), max(vals)
    if hi == lo:
        hi = lo + 1
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in vals:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    return {"edges": [lo + i * width for i in range(bins + 1)], "counts": counts}


def load_tokenizer(tokenizer_dir: str):
    import transformers
    from transformers import AutoTokenizer

    from .chat import ensure_chat_template

    transformers.utils.logging.set_verbosity_error()
    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    ensure_chat_template(tok)
    return tok


def stats(tokenizer_dir: str, path: str, max_length: int | None = None, batch: int = 256,
          tok=None) -> dict[str, Any]:
    if tok is None:
        tok = load_tokenizer(tokenizer_dir)
    counts: list[int] = []
    invalid = 0
    pending: list[dict] = []

    def flush():
        nonlocal invalid
        if not pending:
            return
        try:
            counts.extend(count_tokens(tok, pending))
        except (DataError, KeyError, TypeError):
            for obj in pending:  # find the bad ones one by one
                try:
                    counts.extend(count_tokens(tok, [obj]))
                except (DataError, KeyError, TypeError):
                    invalid += 1
        pending.clear()

    with open(path, encoding="utf-8") as f:
        for raw in f:
            raw = raw.strip()
            if not raw:
                continue
            try:
                obj = json.loads(raw)
                if not isinstance(obj, dict):
                    raise ValueError
            except ValueError:
                invalid += 1
                continue
            pending.append(obj)
            if len(pending) >= batch:
                flush()
    flush()
    out: dict[str, Any] = {"tokenizer": os.path.abspath(tokenizer_dir), "input": os.path.abspath(path),
                           "count": len(counts), "invalid": invalid, "total": sum(counts)}
    if counts:
        s = sorted(counts)
        out.update(mean=sum(s) / len(s), min=s[0], p50=_percentile(s, 50), p90=_percentile(s, 90),
                   p99=_percentile(s, 99), max=s[-1], histogram=histogram(s))
    else:
        out.update(mean=0.0, min=0, p50=0, p90=0, p99=0, max=0, histogram={"edges": [], "counts": []})
    if max_length:
        out["max_length"] = max_length
        out["over_max_length"] = sum(1 for c in counts if c > max_length)
    return out


def main(tokenizer_dir: str, path: str, max_length: int | None) -> int:
    if not os.path.isdir(tokenizer_dir):
        events.error(f"tokenizer {tokenizer_dir!r} is not a directory", field="tokenizer")
        return 2
    if not os.path.isfile(path):
        events.error(f"input {path!r} does not exist", field="in")
        return 2
    try:
        tok = load_tokenizer(tokenizer_dir)
    except Exception as e:  # noqa: BLE001
        events.error(f"cannot load tokenizer {tokenizer_dir!r}: {type(e).__name__}: {e}", field="tokenizer")
        return 2
    try:
        out = stats(tokenizer_dir, path, max_length, tok=tok)
    except (OSError, UnicodeDecodeError) as e:
        events.error(f"cannot read {path!r}: {e}", field="in")
        return 2
    events.emit("token_stats", **out)
    return 0

"""Parquet -> chat-format JSONL, streamed record batch by record batch."""
from __future__ import annotations

import json
import os
from typing import Any

from . import events

FIELDS = ("messages", "question", "answer", "system", "category", "source", "id", "quality_score", "metadata")


class ConvertError(Exception):
    def __init__(self, message: str, field: str | None):
        super().__init__(message)
        self.message, self.field = message, field


def parse_columns(spec: str | None) -> dict[str, str]:
    """"question=q,answer=a" -> {"question": "q", "answer": "a"}."""
    out: dict[str, str] = {}
    if not spec:
        return out
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise ConvertError(f"--columns: {part!r} is not FIELD=COLUMN", "columns")
        k, v = (x.strip() for x in part.split("=", 1))
        if k not in FIELDS:
            raise ConvertError(f"--columns: unknown field {k!r} (known: {', '.join(FIELDS)})", "columns")
        if not v:
            raise ConvertError(f"--columns: empty column name for {k!r}", "columns")
        out[k] = v
    return out


def _text(v: Any) -> str | None:
    if v is None:
        return None
    return v if isinstance(v, str) else str(v)


def convert(src: str, dst: str, columns: str | None = None, batch_size: int = 1024) -> dict[str, Any]:
    import pyarrow.parquet as pq

    mapping = parse_columns(columns)
    try:
        pf = pq.ParquetFile(src)
    except Exception as e:  # noqa: BLE001
        raise ConvertError(f"cannot read parquet file {src!r}: {e}", "in") from None
    names = set(pf.schema_arrow.names)
    col = {f: mapping.get(f, f) for f in FIELDS}

    # messages mode when the (mapped) messages column exists and no question
    # column was asked for explicitly.
    if col["messages"] in names and "question" not in mapping:
        mode = "messages"
        required = ["messages"]
    else:
        mode = "qa"
        required = ["question", "answer"]
    if "messages" in mapping and mapping["messages"] not in names:
        raise ConvertError(f"column {mapping['messages']!r} (field messages) not in {src!r}", "messages")
    for f in required:
        if col[f] not in names:
            raise ConvertError(f"column {col[f]!r} (field {f}) not in {src!r}; columns: {sorted(names)}", f)
    for f, c in mapping.items():
        if c not in names:
            raise ConvertError(f"column {c!r} (field {f}) not in {src!r}; columns: {sorted(names)}", f)
    optional = [f for f in ("system", "category", "source", "id", "quality_score", "metadata") if col[f] in names]
    read_cols = sorted({col[f] for f in required + optional})

    stem = os.path.splitext(os.path.basename(src))[0]
    tmp = dst + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(dst)) or ".", exist_ok=True)
    rows_in = rows_out = skipped = 0
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            for batch in pf.iter_batches(batch_size=batch_size, columns=read_cols):
                data = batch.to_pydict()
                for i in range(batch.num_rows):
                    rows_in += 1
                    get = lambda f: data[col[f]][i] if f in required or f in optional else None  # noqa: E731
                    if mode == "messages":
                        msgs = get("messages")
                        if not msgs:
                            skipped += 1
                            continue
                        messages = [dict(m) for m in msgs]
                    else:
                        q, a = _text(get("question")), _text(get("answer"))
                        if not q or not a:
                            skipped += 1
                            continue
                        messages = []
                        sys_ = _text(get("system"))
                        if sys_:
                            messages.append({"role": "system", "content": sys_})
                        messages += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
                    md = get("metadata")
                    meta = dict(md) if isinstance(md, dict) else {}
                    for f in ("source", "category"):
                        v = get(f)
                        meta[f] = _text(v) if v is not None else meta.get(f)
                    qs = get("quality_score")
                    meta["quality_score"] = float(qs) if isinstance(qs, (int, float)) else meta.get("quality_score")
                    rid = get("id")
                    rec = {"id": _text(rid) if rid is not None else f"{stem}-{rows_in - 1}",
                           "messages": messages, "metadata": meta}
                    out.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
                    rows_out += 1
        os.replace(tmp, dst)
    except ConvertError:
        raise
    except Exception as e:  # noqa: BLE001
        raise ConvertError(f"converting {src!r} failed at row {rows_in}: {type(e).__name__}: {e}", "in") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {"input": os.path.abspath(src), "output": os.path.abspath(dst), "mode": mode,
            "rows_in": rows_in, "rows_out": rows_out, "skipped": skipped, "bytes": os.path.getsize(dst)}


def main(src: str, dst: str, columns: str | None, batch_size: int) -> int:
    try:
        summary = convert(src, dst, columns, batch_size)
    except ConvertError as e:
        events.error(e.message, field=e.field)
        return 2
    events.emit("result", **summary)
    return 0

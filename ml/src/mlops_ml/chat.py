"""Chat-format data: reading JSONL, applying the tokenizer's chat template and
building labels that cover the assistant turns only."""
from __future__ import annotations

import json
from typing import Any, Iterator

IGNORE_INDEX = -100

# ChatML with {% generation %} markers, so that transformers can return an
# assistant-token mask. Used by tiny-model and for tokenizers without a template.
CHATML_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{ '<|im_start|>assistant\\n' }}"
    "{%- generation -%}{{ message['content'] + '<|im_end|>' }}{%- endgeneration -%}"
    "{{ '\\n' }}"
    "{%- else -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)


class DataError(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def read_jsonl(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                obj = json.loads(raw)
            except ValueError as e:
                raise DataError(f"{path}:{n}: invalid JSON: {e}", n) from None
            if not isinstance(obj, dict):
                raise DataError(f"{path}:{n}: a line must be a JSON object", n)
            yield n, obj


def sample_messages(obj: dict[str, Any]) -> list[dict[str, str]] | None:
    """The conversation of one sample: `messages`, or prompt/completion,
    question/answer; None for plain `text` samples."""
    msgs = obj.get("messages")
    if msgs is not None:
        if not isinstance(msgs, list) or not msgs:
            raise DataError("messages must be a non-empty list")
        out = []
        for m in msgs:
            if not isinstance(m, dict) or not isinstance(m.get("role"), str) or not isinstance(m.get("content"), str):
                raise DataError("each message needs string role and content")
            out.append({"role": m["role"], "content": m["content"]})
        return out
    for q, a in (("prompt", "completion"), ("question", "answer")):
        if isinstance(obj.get(q), str) and isinstance(obj.get(a), str):
            out = []
            if isinstance(obj.get("system"), str) and obj["system"]:
                out.append({"role": "system", "content": obj["system"]})
            out += [{"role": "user", "content": obj[q]}, {"role": "assistant", "content": obj[a]}]
            return out
    if isinstance(obj.get("text"), str):
        return None
    raise DataError("a sample needs `messages` (or prompt/completion, question/answer, text)")


def precheck_file(path: str) -> int:
    """Structure check of a data file without a tokenizer (cheap, before the
    heavy imports): every line a sample; returns the sample count."""
    n = 0
    for line, obj in read_jsonl(path):
        try:
            sample_messages(obj)
        except DataError as e:
            raise DataError(f"{path}:{line}: {e}", line) from None
        n += 1
    if n == 0:
        raise DataError(f"{path}: no samples")
    return n


def ensure_chat_template(tokenizer) -> None:
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = CHATML_TEMPLATE


def _template_has_generation(tokenizer) -> bool:
    t = getattr(tokenizer, "chat_template", None) or ""
    return "generation" in t and "endgeneration" in t


def _ids(enc) -> list[int]:
    if isinstance(enc, dict) or hasattr(enc, "keys"):
        enc = enc["input_ids"]
    return list(enc)


def encode_messages(tokenizer, messages: list[dict[str, str]]) -> tuple[list[int], list[int]]:
    """(input_ids, assistant_mask) for one conversation."""
    if _template_has_generation(tokenizer):
        enc = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True,
                                            return_assistant_tokens_mask=True)
        ids = list(enc["input_ids"])
        mask = list(enc["assistant_masks"])
        if any(mask):
            return ids, mask
    # Fallback for templates without {% generation %}: render growing
    # prefixes and mark the tokens each assistant turn adds.
    ids = _ids(tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True))
    mask = [0] * len(ids)
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        start = len(_ids(tokenizer.apply_chat_template(messages[:i], tokenize=True, return_dict=True,
                                                       add_generation_prompt=True))) if i else 0
        end = len(_ids(tokenizer.apply_chat_template(messages[: i + 1], tokenize=True, return_dict=True)))
        for j in range(start, min(end, len(ids))):
            mask[j] = 1
    return ids, mask


def encode_sample(tokenizer, obj: dict[str, Any], max_len: int) -> dict[str, list[int]] | None:
    """input_ids/labels for one sample (labels = -100 outside assistant turns),
    truncated to max_len; None when nothing is left to learn from."""
    msgs = sample_messages(obj)
    if msgs is None:
        ids = list(tokenizer(obj["text"], add_special_tokens=True)["input_ids"])
        if tokenizer.eos_token_id is not None:
            ids.append(tokenizer.eos_token_id)
        mask = [1] * len(ids)
    else:
        ids, mask = encode_messages(tokenizer, msgs)
    ids, mask = ids[:max_len], mask[:max_len]
    labels = [t if m else IGNORE_INDEX for t, m in zip(ids, mask)]
    if sum(1 for x in labels if x != IGNORE_INDEX) < 2:
        return None
    return {"input_ids": ids, "labels": labels}


def count_tokens(tokenizer, objs: list[dict[str, Any]]) -> list[int]:
    """Token counts of samples with the chat template applied (batched)."""
    texts, plain = [], []
    for obj in objs:
        msgs = sample_messages(obj)
        if msgs is None:
            plain.append(len(texts))
            texts.append(obj["text"])
        else:
            texts.append(tokenizer.apply_chat_template(msgs, tokenize=False))
    enc = tokenizer(texts, add_special_tokens=False)["input_ids"]
    counts = [len(x) for x in enc]
    if plain:
        extra = tokenizer(["x"], add_special_tokens=True)["input_ids"][0]
        n_special = len(extra) - len(tokenizer(["x"], add_special_tokens=False)["input_ids"][0])
        for i in plain:
            counts[i] += n_special
    return counts

"""A small random-initialised causal LM with a locally trained BPE tokenizer
(no model hub is reachable), plus a synthetic chat data set to fine-tune it on."""
from __future__ import annotations

import json
import os
import random
from typing import Any, Iterator

from .chat import CHATML_TEMPLATE

# Qwen2's pre-tokenizer split. transformers 5 rebuilds a qwen2 folder's
# tokenizer (Qwen2Tokenizer) with it: training with the same split keeps
# tokenisation identical after a save/load.
QWEN2_SPLIT = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

_EN_SUBJECTS = ["the model", "a dataset", "the trainer", "our team", "the pipeline", "a researcher",
                "the registry", "the gateway", "this service", "the scheduler"]
_EN_VERBS = ["trains", "evaluates", "stores", "reads", "writes", "deploys", "checks", "builds", "updates",
             "monitors"]
_EN_OBJECTS = ["checkpoints", "metrics", "adapters", "tokens", "samples", "experiments", "artifacts",
               "reports", "weights", "logs"]
_KO_SUBJECTS = ["모델이", "데이터셋이", "트레이너가", "우리 팀이", "파이프라인이", "연구자가", "레지스트리가",
                "게이트웨이가", "서비스가", "스케줄러가"]
_KO_OBJECTS = ["체크포인트를", "지표를", "어댑터를", "토큰을", "샘플을", "실험을", "결과물을", "보고서를",
               "가중치를", "로그를"]
_KO_VERBS = ["학습합니다", "평가합니다", "저장합니다", "읽습니다", "씁니다", "배포합니다", "확인합니다",
             "만듭니다", "갱신합니다", "관찰합니다"]
_NUM_KO = ["영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구", "십"]


def _sentences(rng: random.Random) -> Iterator[str]:
    while True:
        yield f"{rng.choice(_EN_SUBJECTS).capitalize()} {rng.choice(_EN_VERBS)} {rng.choice(_EN_OBJECTS)}."
        yield f"{rng.choice(_KO_SUBJECTS)} {rng.choice(_KO_OBJECTS)} {rng.choice(_KO_VERBS)}."


def sample_conversations(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """Synthetic chat samples (English and Korean arithmetic and echo tasks):
    learnable, so a fine-tune visibly lowers the loss."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b = rng.randint(0, 9), rng.randint(0, 9)
        kind = i % 4
        if kind == 0:
            q, ans = f"What is {a} plus {b}?", f"{a} plus {b} is {a + b}."
        elif kind == 1:
            q, ans = f"{_NUM_KO[a]} 더하기 {_NUM_KO[b]}는?", f"{_NUM_KO[a]} 더하기 {_NUM_KO[b]}는 {a + b}입니다."
        elif kind == 2:
            s = f"{rng.choice(_EN_SUBJECTS)} {rng.choice(_EN_VERBS)} {rng.choice(_EN_OBJECTS)}"
            q, ans = f"Repeat: {s}", f"{s}."
        else:
            s = f"{rng.choice(_KO_SUBJECTS)} {rng.choice(_KO_OBJECTS)} {rng.choice(_KO_VERBS)}"
            q, ans = f"따라 하세요: {s}", f"{s}."
        msgs = [{"role": "user", "content": q}, {"role": "assistant", "content": ans}]
        if i % 5 == 0:
            msgs.insert(0, {"role": "system", "content": "You are a helpful assistant. 친절하게 답하세요."})
        out.append({"id": f"sample-{i}", "messages": msgs,
                    "metadata": {"source": "synthetic", "category": ["math", "math", "echo", "echo"][kind],
                                 "quality_score": 1.0}})
    return out


def write_jsonl(path: str, rows: list[dict[str, Any]]) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _corpus(extra_file: str | None, seed: int) -> list[str]:
    rng = random.Random(seed)
    lines: list[str] = []
    gen = _sentences(rng)
    lines += [next(gen) for _ in range(400)]
    for conv in sample_conversations(400, seed):
        lines += [m["content"] for m in conv["messages"]]
    lines += ["0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", "plus 더하기 is 입니다 Repeat 따라 하세요",
              "The quick brown fox jumps over the lazy dog. 다람쥐 헌 쳇바퀴에 타고파.",
              "안녕하세요, 반갑습니다. Hello, nice to meet you!", "한국어와 English 텍스트를 함께 씁니다."]
    if extra_file:
        from .chat import read_jsonl, sample_messages
        for _, obj in read_jsonl(extra_file):
            msgs = sample_messages(obj)
            lines += [m["content"] for m in msgs] if msgs else [obj["text"]]
    return lines


def build_tokenizer(vocab_size: int = 1024, extra_file: str | None = None, seed: int = 0):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=None, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(_corpus(extra_file, seed), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   unk_token=None, bos_token=None, clean_up_tokenization_spaces=False,
                                   model_max_length=2048)
    fast.chat_template = CHATML_TEMPLATE
    return fast


def build(out_dir: str, arch: str = "qwen2", layers: int = 2, hidden: int = 64, heads: int = 4,
          kv_heads: int = 2, vocab_size: int = 1024, seed: int = 0, extra_file: str | None = None) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, GenerationConfig, LlamaConfig, Qwen2Config

    if hidden % heads or heads % kv_heads:
        raise ValueError("hidden must be divisible by heads, heads by kv_heads")
    tok = build_tokenizer(vocab_size, extra_file, seed)
    common = dict(vocab_size=len(tok), hidden_size=hidden, intermediate_size=hidden * 2,
                  num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
                  max_position_embeddings=2048, tie_word_embeddings=True,
                  bos_token_id=tok.convert_tokens_to_ids("<|endoftext|>"),
                  eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    if arch == "qwen2":
        config = Qwen2Config(**common)
    elif arch == "llama":
        config = LlamaConfig(**common)
    else:
        raise ValueError(f"unknown arch {arch!r} (qwen2, llama)")
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.generation_config = GenerationConfig(eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                                               bos_token_id=config.bos_token_id)
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir)
    tok.save_pretrained(out_dir)
    return {"output_dir": os.path.abspath(out_dir), "arch": arch, "vocab_size": len(tok),
            "parameters": sum(p.numel() for p in model.parameters()), "layers": layers, "hidden": hidden}

import json
import os

from conftest import run_cli

TEXT = ("안녕하세요, 반갑습니다! 모델이 체크포인트를 저장합니다. Hello world: the trainer "
        "stores 12 checkpoints.\n  Indented line, 한국어와 English 혼합 텍스트입니다. 다람쥐 헌 쳇바퀴에 타고파.")


def test_tiny_model_builds_and_reloads(tiny_model):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cfg = json.load(open(os.path.join(tiny_model, "config.json")))
    assert cfg["model_type"] == "qwen2" and cfg["num_hidden_layers"] == 2
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    tok = AutoTokenizer.from_pretrained(tiny_model)
    assert model.config.vocab_size == len(tok)
    ids = tok("Hello 안녕", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        out = model(input_ids=ids, labels=ids)
    assert out.logits.shape == (1, ids.shape[1], len(tok))
    assert torch.isfinite(out.loss)
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"
    assert "generation" in tok.chat_template


def test_tokenizer_round_trips_korean_and_english(tiny_model):
    from transformers import AutoTokenizer

    from mlops_ml.tiny import build_tokenizer

    original = build_tokenizer()  # same corpus and seed as the saved one
    reloaded = AutoTokenizer.from_pretrained(tiny_model)
    ids = reloaded.encode(TEXT, add_special_tokens=False)
    assert ids == original.encode(TEXT, add_special_tokens=False)
    assert reloaded.decode(ids) == TEXT
    assert original.decode(ids) == TEXT
    # Korean is not one byte per token: the BPE learnt merges from the corpus
    assert len(reloaded.encode("체크포인트를 저장합니다", add_special_tokens=False)) < len(
        "체크포인트를 저장합니다".encode())


def test_llama_variant_round_trips(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from mlops_ml.tiny import build

    out = str(tmp_path / "llama")
    info = build(out, arch="llama", layers=1, hidden=32, heads=2, kv_heads=1)
    assert info["arch"] == "llama"
    model = AutoModelForCausalLM.from_pretrained(out)
    assert model.config.model_type == "llama"
    tok = AutoTokenizer.from_pretrained(out)
    assert tok.decode(tok.encode(TEXT, add_special_tokens=False)) == TEXT


def test_assistant_mask_covers_assistant_turns_only(tiny_model):
    from transformers import AutoTokenizer

    from mlops_ml.chat import IGNORE_INDEX, encode_sample

    tok = AutoTokenizer.from_pretrained(tiny_model)
    sample = {"messages": [{"role": "system", "content": "Be brief."},
                           {"role": "user", "content": "What is 2 plus 3?"},
                           {"role": "assistant", "content": "2 plus 3 is 5."},
                           {"role": "user", "content": "일 더하기 일는?"},
                           {"role": "assistant", "content": "2입니다."}]}
    enc = encode_sample(tok, sample, 512)
    learnt = tok.decode([t for t in enc["labels"] if t != IGNORE_INDEX])
    assert learnt == "2 plus 3 is 5.<|im_end|>2입니다.<|im_end|>"
    assert "What is" in tok.decode(enc["input_ids"])


def test_bad_arguments_give_an_error_event():
    r = run_cli("tiny-model")
    assert r.rc == 2
    assert r.one("error")["field"] == "args"

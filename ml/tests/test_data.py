"""convert (Parquet -> chat JSONL) and token-stats."""
import json

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import run_cli


def _read(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def test_convert_question_answer_columns(tmp_path):
    src, dst = tmp_path / "qa.parquet", tmp_path / "qa.jsonl"
    n = 2500  # several record batches
    table = pa.table({
        "q": [f"질문 {i}: what is {i} plus 1?" for i in range(n)],
        "a": [None if i == 7 else f"{i + 1}입니다." for i in range(n)],
        "sys": ["Be brief." if i % 2 else None for i in range(n)],
        "category": ["math"] * n,
        "source": ["unit-test"] * n,
        "quality_score": [0.5 + (i % 5) / 10 for i in range(n)],
        "extra": list(range(n)),
    })
    pq.write_table(table, src, row_group_size=700)
    r = run_cli("convert", "--in", str(src), "--out", str(dst), "--columns", "question=q,answer=a,system=sys",
                "--batch-size", "500")
    assert r.rc == 0, r.stderr
    res = r.one("result")
    assert (res["rows_in"], res["rows_out"], res["skipped"], res["mode"]) == (n, n - 1, 1, "qa")
    rows = _read(dst)
    assert len(rows) == n - 1
    assert rows[0] == {"id": "qa-0", "messages": [{"role": "user", "content": "질문 0: what is 0 plus 1?"},
                                                   {"role": "assistant", "content": "1입니다."}],
                       "metadata": {"source": "unit-test", "category": "math", "quality_score": 0.5}}
    assert rows[1]["messages"][0] == {"role": "system", "content": "Be brief."}
    assert rows[1]["metadata"]["quality_score"] == 0.6


def test_convert_passes_a_messages_column_through(tmp_path):
    src, dst = tmp_path / "chat.parquet", tmp_path / "chat.jsonl"
    msg = pa.struct([("role", pa.string()), ("content", pa.string())])
    table = pa.table({
        "id": ["a", "b"],
        "messages": pa.array([[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "안녕"}],
                              [{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
                               {"role": "assistant", "content": "x"}]], type=pa.list_(msg)),
        "source": ["web", "book"],
    })
    pq.write_table(table, src)
    r = run_cli("convert", "--in", str(src), "--out", str(dst))
    assert r.rc == 0, r.stderr
    assert r.one("result")["mode"] == "messages"
    rows = _read(dst)
    assert rows[0] == {"id": "a", "messages": [{"role": "user", "content": "hi"},
                                               {"role": "assistant", "content": "안녕"}],
                       "metadata": {"source": "web", "category": None, "quality_score": None}}
    assert [m["role"] for m in rows[1]["messages"]] == ["system", "user", "assistant"]


def test_convert_errors(tmp_path):
    src = tmp_path / "qa.parquet"
    pq.write_table(pa.table({"question": ["x"], "response": ["y"]}), src)
    out = tmp_path / "o.jsonl"
    r = run_cli("convert", "--in", str(src), "--out", str(out))
    assert r.rc == 2
    assert r.one("error")["field"] == "answer" and "answer" in r.one("error")["message"]
    assert not out.exists()

    r = run_cli("convert", "--in", str(src), "--out", str(out), "--columns", "answer=resp")
    assert r.rc == 2 and r.one("error")["field"] == "answer"

    r = run_cli("convert", "--in", str(src), "--out", str(out), "--columns", "bogus=x")
    assert r.rc == 2 and r.one("error")["field"] == "columns"

    notpq = tmp_path / "x.parquet"
    notpq.write_text("this is not parquet")
    r = run_cli("convert", "--in", str(notpq), "--out", str(out))
    assert r.rc == 2 and r.one("error")["field"] == "in"
    r = run_cli("convert", "--in", str(tmp_path / "missing.parquet"), "--out", str(out))
    assert r.rc == 2 and r.one("error")["field"] == "in"
    assert not out.exists()


def test_token_stats(tmp_path, tiny_model, data):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    rows = [json.loads(line) for line in open(data["val"], encoding="utf-8")]
    expected = sorted(len(tok.apply_chat_template(r["messages"], tokenize=True, return_dict=True)["input_ids"])
                      for r in rows)
    src = tmp_path / "s.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
        f.write("not json\n")
    r = run_cli("token-stats", "--tokenizer", tiny_model, "--in", str(src), "--max-length", "20")
    assert r.rc == 0, r.stderr
    s = r.one("token_stats")
    assert s["count"] == len(rows) and s["invalid"] == 1
    assert s["total"] == sum(expected) and s["max"] == expected[-1] and s["min"] == expected[0]
    assert abs(s["mean"] - sum(expected) / len(expected)) < 1e-9
    assert s["p50"] == expected[(len(expected) + 1) // 2 - 1]
    assert s["p50"] <= s["p90"] <= s["p99"] <= s["max"]
    assert len(s["histogram"]["counts"]) == 20 and len(s["histogram"]["edges"]) == 21
    assert sum(s["histogram"]["counts"]) == len(rows)
    assert s["over_max_length"] == sum(1 for c in expected if c > 20)

    r = run_cli("token-stats", "--tokenizer", str(tmp_path / "nope"), "--in", str(src))
    assert r.rc == 2 and r.one("error")["field"] == "tokenizer"

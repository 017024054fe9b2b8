"""python -m mlops_ml {train,tiny-model,sample-data,convert,token-stats} ...

stdout carries JSON-lines events only (one object per line, each with a
"type"); everything else goes to stderr. Exit codes: 0 done, 1 failure,
2 bad spec / bad input, 143 stopped by SIGTERM (after a checkpoint).
"""
from __future__ import annotations

import argparse
import os
import sys

from . import events


def set_parent_death_signal() -> None:
    """Die with the parent: the supervising service may be SIGKILLed."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        ppid = os.getppid()
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != ppid:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)
    except Exception:  # noqa: BLE001
        pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # bad arguments -> an error event, exit 2
        self.print_usage(sys.stderr)
        events.error(f"{self.prog}: {message}", field="args")
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m mlops_ml", description=__doc__,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    t = sub.add_parser("train", help="run a fine-tuning job from a JSON job spec")
    t.add_argument("--spec", required=True, help="job spec (JSON file)")
    t.add_argument("--resume-from", default=None,
                   help="checkpoint-N folder to continue from ('latest': the newest complete one in output_dir)")

    m = sub.add_parser("tiny-model", help="build a small random-initialised causal LM + local BPE tokenizer")
    m.add_argument("--out", required=True)
    m.add_argument("--arch", choices=["qwen2", "llama"], default="qwen2")
    m.add_argument("--layers", type=int, default=2)
    m.add_argument("--hidden", type=int, default=64)
    m.add_argument("--heads", type=int, default=4)
    m.add_argument("--kv-heads", type=int, default=2)
    m.add_argument("--vocab-size", type=int, default=1024)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--corpus", default=None, help="extra JSONL (chat or text) to train the tokenizer on")

    d = sub.add_parser("sample-data", help="write a synthetic English/Korean chat data set (JSONL)")
    d.add_argument("--out", required=True)
    d.add_argument("--n", type=int, default=200)
    d.add_argument("--seed", type=int, default=0)

    c = sub.add_parser("convert", help="Parquet -> chat-format JSONL (streamed)")
    c.add_argument("--in", dest="src", required=True)
    c.add_argument("--out", dest="dst", required=True)
    c.add_argument("--columns", default=None, help="FIELD=COLUMN,... (fields: question, answer, system, "
                   "category, source, id, quality_score, metadata, messages)")
    c.add_argument("--batch-size", type=int, default=1024)

    s = sub.add_parser("token-stats", help="token counts per sample with a real tokenizer")
    s.add_argument("--tokenizer", required=True)
    s.add_argument("--in", dest="src", required=True)
    s.add_argument("--max-length", type=int, default=None)
    return p


def main(argv: list[str] | None = None) -> int:
    events.redirect_stdout()
    set_parent_death_signal()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    args = _parser().parse_args(argv)

    if args.cmd == "train":
        from . import spec as specmod

        try:
            job = specmod.load(args.spec, args.resume_from)
        except specmod.SpecError as e:
            events.error(e.message, field=e.field)
            return 2
        from .train import run_safely

        return run_safely(job)

    if args.cmd == "tiny-model":
        try:
            from .tiny import build

            info = build(args.out, arch=args.arch, layers=args.layers, hidden=args.hidden, heads=args.heads,
                         kv_heads=args.kv_heads, vocab_size=args.vocab_size, seed=args.seed,
                         extra_file=args.corpus)
        except ValueError as e:
            events.error(str(e), field="args")
            return 2
        except Exception as e:  # noqa: BLE001
            import traceback

            traceback.print_exc()
            events.error(f"tiny-model failed: {type(e).__name__}: {e}")
            return 1
        events.emit("result", **info)
        return 0

    if args.cmd == "sample-data":
        from .tiny import sample_conversations, write_jsonl

        rows = sample_conversations(args.n, args.seed)
        write_jsonl(args.out, rows)
        events.emit("result", output=os.path.abspath(args.out), rows=len(rows))
        return 0

    if args.cmd == "convert":
        from .convert import main as convert_main

        return convert_main(args.src, args.dst, args.columns, args.batch_size)

    if args.cmd == "token-stats":
        from .token_stats import main as stats_main

        return stats_main(args.tokenizer, args.src, args.max_length)
    return 2


if __name__ == "__main__":
    sys.exit(main())

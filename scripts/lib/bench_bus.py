#!/usr/bin/env python3
"""Report for `scripts/bench bus`: our bus against raw libzmq, same run.

Reads the JSON lines the clients printed (one per scenario and impl:
{"impl","size","inflight","requests","p50_us","p99_us","rps"}, ours with
"executor"), prints a table, optionally rewrites the `## bus` section of
BENCHMARKS.md, and ends with the line
`BENCH bus p50_ratio=X throughput_ratio=Y pool_p50_ratio=A pool_throughput_ratio=B`.

Ours is measured with two clients against the same broker and workers:
  bus       the calling tasks on the client's executor (its I/O thread): one
            thread sends, waits and receives, as the raw client does
  bus-pool  the calling tasks on Swift's cooperative pool (what a task gets
            without asking): each call crosses to the I/O thread and back
Ratios, per body size and client:
  p50_ratio        = ours.p50 / raw.p50 with 1 request in flight (latency)
  throughput_ratio = ours.rps / raw.rps with 64 in flight (throughput)
With several rounds, each ratio is the median over rounds of the ratio within
a round (paired: in a round, each scenario runs on every side back to back),
so a change in the machine's capacity between rounds (host steal on a shared
VM moves raw's own rate 2-4x) cancels out instead of landing on one side.
The headline figures are bus's, the worst across sizes (max p50 ratio, min
throughput ratio); bus-pool's follow as pool_*. The bar: p50_ratio <= 1.5
and throughput_ratio >= 0.5.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys

P50_BAR = 1.5
THROUGHPUT_BAR = 0.5
LATENCY_INFLIGHT = 1
THROUGHPUT_INFLIGHT = 64
IMPLS = ("bus", "bus-pool", "raw")
OURS = ("bus", "bus-pool")
FIELDS = ("impl", "size", "inflight", "requests", "p50_us", "p99_us", "rps")

HEADER = """# Benchmarks

Each section below is written by `scripts/bench NAME` (do not edit the
figures by hand). Every benchmark measures its baseline in the same
invocation, on the same machine, so the ratios are comparable even where the
absolute figures move with the machine's load.
"""



def scenario_rows(rows, sizes, inflights, impls):
    """Each measured scenario in table order, with its ratios to raw (ours only)."""
    for size in sizes:
        for inflight in inflights:
            for impl in impls:
                r = rows.get((impl, size, inflight))
                if not r:
                    continue
                pr = ratio(rows, size, inflight, "p50_us", impl) if impl in OURS else None
                tr = ratio(rows, size, inflight, "rps", impl) if impl in OURS else None
                yield impl, size, inflight, r, pr, tr

def load(path: str) -> dict[tuple[str, int, int], dict]:
    """One row per (impl, size, inflight); with several rounds, each figure
    is the median of that scenario's rounds."""
    runs: dict[tuple[str, int, int], list[dict]] = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"bench_bus: {path}:{n}: not JSON ({e}): {line[:200]}")
            missing = [k for k in FIELDS if k not in row]
            if missing:
                sys.exit(f"bench_bus: {path}:{n}: missing {', '.join(missing)}: {line[:200]}")
            if row["impl"] == "bus" and row.get("executor") == "pool":
                row["impl"] = "bus-pool"
            if row["impl"] not in IMPLS:
                sys.exit(f"bench_bus: {path}:{n}: unknown impl {row['impl']!r}")
            runs.setdefault((row["impl"], int(row["size"]), int(row["inflight"])), []).append(row)
    rows = {}
    for key, rs in runs.items():
        row = dict(rs[0])
        for k in ("p50_us", "p99_us", "rps"):
            row[k] = statistics.median(float(r[k]) for r in rs)
        row["rounds"] = len(rs)
        # The n-th run of a scenario belongs to round n: every round runs each
        # scenario once on every side.
        row["runs"] = rs
        rows[key] = row
    return rows


def machine() -> dict[str, str]:
    model = "unknown"
    mem = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    try:
        zmq = subprocess.run(["pkg-config", "--modversion", "libzmq"], capture_output=True,
                             text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        zmq = "unknown"
    return {
        "cpus": str(len(os.sched_getaffinity(0))),
        "model": model,
        "memory": mem,
        "kernel": platform.release(),
        "libzmq": zmq,
    }


def fmt_ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def ratio(rows, size: int, inflight: int, key: str, impl: str = "bus") -> float | None:
    """The median over rounds of ours/raw within each round (one round: the plain ratio)."""
    ours, raw = rows.get((impl, size, inflight)), rows.get(("raw", size, inflight))
    if not ours or not raw:
        return None
    pairs = [float(o[key]) / float(r[key]) for o, r in zip(ours["runs"], raw["runs"]) if float(r[key])]
    return statistics.median(pairs) if pairs else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--markdown", help="BENCHMARKS.md to rewrite the ## bus section of")
    ap.add_argument("--workers", type=int, required=True)
    ap.add_argument("--slots", type=int, required=True)
    ap.add_argument("--requests-1", type=int, required=True)
    ap.add_argument("--requests-64", type=int, required=True)
    ap.add_argument("--scale", default="1")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--load", default="")
    ap.add_argument("--command", default="scripts/bench bus")
    args = ap.parse_args()

    rows = load(args.results)
    if not rows:
        sys.exit("bench_bus: no results")
    sizes = sorted({k[1] for k in rows})
    inflights = sorted({k[2] for k in rows})
    impls = [i for i in IMPLS if any(k[0] == i for k in rows)]

    warnings = []
    for (impl, size, inflight), row in sorted(rows.items()):
        want = args.requests_1 if inflight == LATENCY_INFLIGHT else args.requests_64
        if int(row["requests"]) != want:
            warnings.append(f"{impl} size={size} inflight={inflight} reported {row['requests']} "
                            f"measured requests, asked for {want}")

    # Per-size ratios (ours against raw, same scenario) and the headline ones, per client.
    both = "raw" in impls and "bus" in impls
    ours = {}
    for impl in OURS:
        p50_by_size = {s: ratio(rows, s, LATENCY_INFLIGHT, "p50_us", impl) for s in sizes}
        tput_by_size = {s: ratio(rows, s, THROUGHPUT_INFLIGHT, "rps", impl) for s in sizes}
        p50_vals = [v for v in p50_by_size.values() if v is not None]
        tput_vals = [v for v in tput_by_size.values() if v is not None]
        head_p50 = max(p50_vals) if both and p50_vals else None
        head_tput = min(tput_vals) if both and tput_vals else None
        ours[impl] = {
            "p50": p50_by_size, "tput": tput_by_size, "head_p50": head_p50, "head_tput": head_tput,
            "p50_ok": head_p50 is not None and head_p50 <= P50_BAR,
            "tput_ok": head_tput is not None and head_tput >= THROUGHPUT_BAR,
        }
        if both and impl in impls and (len(p50_vals) != len(sizes) or len(tput_vals) != len(sizes)):
            warnings.append(f"some scenario is missing for {impl} or raw; ratios are partial")
    head = ours["bus"]

    # ---- stdout table
    table = []
    hdr = ("impl", "size B", "in flight", "requests", "p50 us", "p99 us", "req/s", "p50 x raw", "req/s x raw")
    table.append(hdr)
    for impl, size, inflight, r, pr, tr in scenario_rows(rows, sizes, inflights, impls):
        table.append((impl, str(size), str(inflight), str(r["requests"]),
                      f"{float(r['p50_us']):.1f}", f"{float(r['p99_us']):.1f}",
                      f"{float(r['rps']):.0f}",
                      "" if pr is None else f"{pr:.2f}", "" if tr is None else f"{tr:.2f}"))
    widths = [max(len(row[i]) for row in table) for i in range(len(hdr))]
    print()
    for n, row in enumerate(table):
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print()
    if both:
        for impl in (i for i in OURS if i in impls):
            o = ours[impl]
            for s in sizes:
                print(f"{impl} size {s} B: p50_ratio (inflight {LATENCY_INFLIGHT}) = {fmt_ratio(o['p50'][s])}, "
                      f"throughput_ratio (inflight {THROUGHPUT_INFLIGHT}) = {fmt_ratio(o['tput'][s])}")
            print(f"{impl} bar: p50_ratio <= {P50_BAR} -> {'pass' if o['p50_ok'] else 'FAIL'} ({fmt_ratio(o['head_p50'])}); "
                  f"throughput_ratio >= {THROUGHPUT_BAR} -> {'pass' if o['tput_ok'] else 'FAIL'} ({fmt_ratio(o['head_tput'])})")
        if not (head["p50_ok"] and head["tput_ok"]):
            print("bench: the bar is MISSED (the run itself completed)")
    else:
        print(f"one side only ({', '.join(impls)}): no ratios; BENCHMARKS.md not touched")
    for w in warnings:
        print(f"warning: {w}")

    # ---- BENCHMARKS.md
    if args.markdown and both:
        write_markdown(args, rows, sizes, inflights, impls, ours, warnings)
        print(f"wrote the ## bus section of {os.path.relpath(args.markdown)}")

    pool = ours["bus-pool"]
    print(f"BENCH bus p50_ratio={fmt_ratio(head['head_p50'])} throughput_ratio={fmt_ratio(head['head_tput'])} "
          f"pool_p50_ratio={fmt_ratio(pool['head_p50'])} pool_throughput_ratio={fmt_ratio(pool['head_tput'])}")
    return 0


def write_markdown(args, rows, sizes, inflights, impls, ours, warnings) -> None:
    m = machine()
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    w1, w64 = args.requests_1 // 10, args.requests_64 // 10
    out = [
        "## bus",
        "",
        "Our bus (`bus` broker, `bus-probe echo-worker` workers, `bus-probe bench` client)",
        "against raw libzmq (`bench/raw_zmq.c`: `zmq_proxy` ROUTER/DEALER broker, REP",
        "worker threads, DEALER client) with the same topology, measured in the same run.",
        "Our client runs twice against the same broker and workers: **bus**, the calling",
        "tasks on the client's executor (`BusClient.executor`: its I/O thread sends, waits",
        "and receives, as the raw client's one thread does), and **bus-pool**, the calling",
        "tasks on Swift's cooperative pool (a task's default: each call crosses to the I/O",
        "thread and its reply crosses back, two thread wake-ups the raw client does not have).",
        "",
        f"- Date: {now}",
        f"- Command: `{args.command}`",
        f"- Machine: {m['cpus']} CPUs ({m['model']}), {m['memory']} memory, "
        f"Linux {m['kernel']}, libzmq {m['libzmq']}"
        + (f"; load average at start {args.load}" if args.load else ""),
        f"- Config: 1 broker + {args.workers} worker processes per side; {args.slots} slots per "
        f"worker (ours) / {args.slots} REP threads per worker (raw); loopback TCP; "
        f"{args.requests_1} measured requests (+{w1} warm-up) at 1 in flight, "
        f"{args.requests_64} (+{w64} warm-up) at 64 in flight"
        + (f" (BENCH_SCALE={args.scale})" if args.scale not in ("", "1") else "")
        + "; both sides up at once, scenarios interleaved (each runs on one side then the other, "
        "the order rotating)"
        + (f"; {args.rounds} rounds, each figure the median of its rounds, each ratio the median of "
           "the ratios within a round (the sides run back to back in a round)" if args.rounds > 1 else ""),
        "- Latency: per request round trip at the client (CLOCK_MONOTONIC / monotonic clock); "
        "req/s: measured replies over the measured part's wall time.",
        "",
        "| impl | size (B) | in flight | requests | p50 (µs) | p99 (µs) | req/s | p50 × raw | req/s × raw |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for impl, size, inflight, r, pr, tr in scenario_rows(rows, sizes, inflights, impls):
        name = {"bus": "bus (ours)", "bus-pool": "bus-pool (ours)"}.get(impl, "raw libzmq")
        out.append(f"| {name} | {size} | {inflight} | {r['requests']} | {float(r['p50_us']):.1f} | "
                   f"{float(r['p99_us']):.1f} | {float(r['rps']):.0f} | "
                   f"{'' if pr is None else f'{pr:.2f}'} | {'' if tr is None else f'{tr:.2f}'} |")
    out += [
        "",
        f"| client | size (B) | p50 ratio (ours/raw, {LATENCY_INFLIGHT} in flight) | "
        f"throughput ratio (ours/raw, {THROUGHPUT_INFLIGHT} in flight) |",
        "|---|---:|---:|---:|",
    ]
    for impl in (i for i in OURS if i in impls):
        for s in sizes:
            out.append(f"| {impl} | {s} | {fmt_ratio(ours[impl]['p50'][s])} | {fmt_ratio(ours[impl]['tput'][s])} |")
    for impl in (i for i in OURS if i in impls):
        o = ours[impl]
        out += [
            "",
            f"{'Headline' if impl == 'bus' else 'bus-pool'} (worst across sizes): **p50_ratio = {fmt_ratio(o['head_p50'])}**, "
            f"**throughput_ratio = {fmt_ratio(o['head_tput'])}**. "
            f"Bar: p50 ≤ {P50_BAR}× raw — **{'pass' if o['p50_ok'] else 'FAIL'}**; "
            f"throughput ≥ {THROUGHPUT_BAR}× raw — **{'pass' if o['tput_ok'] else 'FAIL'}**.",
        ]
    for w in warnings:
        out.append(f"\nWarning: {w}.")
    section = "\n".join(out) + "\n"

    path = args.markdown
    text = open(path).read() if os.path.exists(path) else HEADER
    lines = text.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if re.match(r"^## bus\s*$", l)), None)
    if start is None:
        body = text.rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        before = "".join(lines[:start])
        after = "".join(lines[end:])
        body = before + section + ("\n" + after if after else "")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(body)
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())

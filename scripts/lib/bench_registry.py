#!/usr/bin/env python3
"""Helpers of `scripts/bench registry`: seed 200 models through each API,
parse wrk's output, write the `## registry` section of BENCHMARKS.md."""
import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import re
import sys
import urllib.request


def request(method, url, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"{}")


def seed_ours(args):
    token = request("POST", f"{args.base}/api/v1/auth/login", {"username": args.username, "password": args.password})["access_token"]

    def one(i):
        request("POST", f"{args.base}/api/v1/admin/models/register", {
            "model_name": f"bench-model-{i:03d}", "version": "1.0.0", "base_model": "Qwen2-7B",
            "project": "bench", "model_type": "causal-lm", "model_path": f"/data/models/bench-{i:03d}",
            "description": f"benchmark model {i}", "tags": ["bench", "korean"],
        }, token)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(args.count)))
    listed = request("GET", f"{args.base}/api/v1/admin/models?limit=100", token=token)
    assert listed["total"] >= args.count, listed.get("total")
    assert len(listed["items"]) == 100, len(listed["items"])
    print(token)


def seed_mlflow(args):
    def one(i):
        request("POST", f"{args.base}/api/2.0/mlflow/registered-models/create", {
            "name": f"bench-model-{i:03d}", "description": f"benchmark model {i}",
            "tags": [{"key": "project", "value": "bench"}],
        })

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(args.count)))
    listed = request("GET", f"{args.base}/api/2.0/mlflow/registered-models/search?max_results=100")
    assert len(listed["registered_models"]) == 100, len(listed.get("registered_models", []))


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50, unit50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M).groups()
    p99, unit99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M).groups()
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors:.*", text)
    total = int(re.search(r"(\d+) requests in", text).group(1))
    return {"rps": rps, "p50_ms": float(p50) * UNITS[unit50], "p99_ms": float(p99) * UNITS[unit99],
            "requests": total, "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(0) if errors else ""}


def report(args):
    ours, mlflow = parse_wrk(args.ours), parse_wrk(args.mlflow)
    for name, r in (("ours", ours), ("mlflow", mlflow)):
        if r["non2xx"]:
            sys.exit(f"bench: {name} answered {r['non2xx']} non-2xx responses; figures are not valid")
    ratio = ours["rps"] / mlflow["rps"]
    rps_ok, p99_ok = ratio >= 50, ours["p99_ms"] < 25
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 1024 / 1024
    rows = [
        "| server | query | req/s | p50 (ms) | p99 (ms) | requests |",
        "|---|---|---:|---:|---:|---:|",
        f"| gateway → bus → registry (ours) | `GET /api/v1/admin/models?limit=100` | {ours['rps']:.0f} | {ours['p50_ms']:.2f} | {ours['p99_ms']:.2f} | {ours['requests']} |",
        f"| MLflow {args.mlflow_version} tracking server | `GET /api/2.0/mlflow/registered-models/search?max_results=100` | {mlflow['rps']:.1f} | {mlflow['p50_ms']:.2f} | {mlflow['p99_ms']:.2f} | {mlflow['requests']} |",
    ]
    section = "\n".join([
        "## registry",
        "",
        "Listing 100 of 200 registered models through our gateway (JWT auth, bus call to the",
        "registry service, PostgreSQL) against MLflow's tracking server listing 100 of 200",
        "registered models, both on the same PostgreSQL cluster, one after the other in one run.",
        "",
        f"- Date: {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC",
        f"- Command: `{args.command}`",
        f"- Machine: {os.cpu_count()} CPUs ({cpu}), {mem:.1f} GiB memory, Linux {platform.release()}; load average at start {args.load}",
        f"- Load: `wrk -t2 -c32 -d{args.duration}s --latency` for each server; ours with release builds of bus, registry and gateway (rate limit off for the run), MLflow with its default server settings and `postgresql+psycopg2`.",
        "",
        *rows,
        "",
        f"Ratio ours/MLflow requests/s: **{ratio:.1f}×**; our p99: **{ours['p99_ms']:.2f} ms**.",
        "",
        f"Bar: ≥ 50× MLflow's requests/s — **{'pass' if rps_ok else 'FAIL'}**; p99 < 25 ms — **{'pass' if p99_ok else 'FAIL'}**.",
        "",
    ])
    path = args.markdown
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
    pattern = re.compile(r"^## registry\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    open(path, "w").write(text)
    print("\n".join(rows))
    if not (rps_ok and p99_ok):
        print("bench: the bar is MISSED (the run itself completed)")
    print(f"BENCH registry rps_ratio={ratio:.1f} p99_ms={ours['p99_ms']:.2f}")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seed-ours")
    s.add_argument("--base"); s.add_argument("--username"); s.add_argument("--password"); s.add_argument("--count", type=int, default=200)
    s = sub.add_parser("seed-mlflow")
    s.add_argument("--base"); s.add_argument("--count", type=int, default=200)
    s = sub.add_parser("report")
    for name in ("--ours", "--mlflow", "--markdown", "--command", "--load", "--mlflow-version"):
        s.add_argument(name)
    s.add_argument("--duration", type=int)
    args = parser.parse_args()
    {"seed-ours": seed_ours, "seed-mlflow": seed_mlflow, "report": report}[args.cmd](args)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""scripts/bench dataset: the data generator, the end-to-end driver and the report.

  generate --out FILE --mb 200 [--seed 1]
      Realistic Korean/English chat samples (~1 KB each, seed 003 §4.1 format)
      with PII sprinkled in ~6% of them and ~20% near duplicates of earlier
      samples (a few words changed, a greeting added, punctuation varied).
  run --base URL --username U --password P --file FILE
      Upload (multipart, streamed by curl) → ingest → validate (every check)
      → stats, through the gateway; prints one JSON object of timings.
  report --e2e J --ours J --datasketch J --peak-mb N --markdown BENCHMARKS.md ...
      Writes the `## dataset` section and prints the BENCH line.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.request

KO_WORDS = """국가 계약 법령 조항 도로 공사 고속도로 유지보수 예산 집행 절차 규정 안전 점검 터널 교량 휴게소 입찰 공고 심사
기준 통행료 감면 대상 차량 화물 운송 교통량 통계 공개 민원 처리 기간 담당 부서 검토 회신 결과 통보 이의 신청 보상 협의 토지
수용 설계 변경 승인 준공 검사 하자 보수 책임 기간 연장 계약금 지급 선금 정산 물가 변동 조정 청구 서류 제출 전자 조달 시스템
등록 자격 요건 실적 평가 점수 가점 감점 제재 부정당 업자 처분 기간 행정 심판 소송 대응 법률 자문 내부 지침 개정 시행 공포
적용 범위 예외 사항 긴급 복구 재난 대응 매뉴얼 제설 장비 배치 순찰 주기 사고 처리 견인 차량 정체 구간 우회 안내 표지판 설치""".split()
KO_ENDINGS = ["입니다", "합니다", "됩니다", "있습니다", "해야 합니다", "할 수 있습니다", "하지 않습니다", "바랍니다"]
KO_QUESTIONS = ["알려 주세요", "무엇인가요", "어떻게 되나요", "가능한가요", "설명해 주세요", "언제인가요"]
EN_WORDS = """contract procurement regulation article highway maintenance budget execution procedure safety inspection tunnel bridge
rest area bidding notice review criteria toll exemption vehicle freight traffic statistics disclosure complaint processing period
department response result notification objection compensation land design change approval completion defect liability extension
payment advance settlement price adjustment claim document submission electronic system registration qualification performance
evaluation score penalty sanction administrative appeal litigation legal advice internal guideline revision enforcement scope
exception emergency recovery disaster manual snow removal equipment patrol accident towing congestion detour signage installation""".split()
SURNAMES = "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황".split()
GIVEN = "민수 서연 지훈 하은 도윤 수아 예준 지우 현우 서윤 건우 민지".split()
CATEGORIES = ["법령", "계약", "안전", "민원", "행정", "기술"]
SYSTEM = "당신은 한국도로공사의 AI 어시스턴트입니다. 정확하고 친절하게 답변하세요."


def rrn(rng):
    yy, mm, dd = rng.randint(60, 99), rng.randint(1, 12), rng.randint(1, 28)
    digits = [int(c) for c in f"{yy:02d}{mm:02d}{dd:02d}"] + [rng.choice([1, 2])] + [rng.randint(0, 9) for _ in range(5)]
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    check = (11 - sum(d * w for d, w in zip(digits, weights)) % 11) % 10
    s = "".join(map(str, digits)) + str(check)
    return s[:6] + "-" + s[6:]


def card(rng):
    digits = [4] + [rng.randint(0, 9) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return "-".join(s[i:i + 4] for i in range(0, 16, 4))


def pii_sentence(rng):
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    return rng.choice([
        f"{name} 고객님의 연락처는 010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}입니다.",
        f"{name}의 주민등록번호는 {rrn(rng)}입니다.",
        f"회신은 user{rng.randint(1, 99999)}@example.co.kr 로 보내 주세요.",
        f"결제 카드번호 {card(rng)} 로 처리되었습니다.",
        f"접속 IP는 10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)} 입니다.",
    ])


def ko_sentence(rng, n):
    return " ".join(rng.choice(KO_WORDS) for _ in range(n)) + " " + rng.choice(KO_ENDINGS) + "."


def en_sentence(rng, n):
    words = [rng.choice(EN_WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def make_sample(rng, i):
    category = rng.choice(CATEGORIES)
    if rng.random() < 0.7:
        question = " ".join(rng.choice(KO_WORDS) for _ in range(rng.randint(6, 12))) + "에 대해 " + rng.choice(KO_QUESTIONS) + "?"
        answer = " ".join(ko_sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(5, 9)))
    else:
        question = "What is the " + " ".join(rng.choice(EN_WORDS) for _ in range(rng.randint(6, 12))) + "?"
        answer = " ".join(en_sentence(rng, rng.randint(10, 18)) for _ in range(rng.randint(5, 9)))
    if rng.random() < 0.06:
        (question, answer) = (pii_sentence(rng) + " " + question, answer) if rng.random() < 0.5 else (question, answer + " " + pii_sentence(rng))
    return {"id": f"s{i}", "messages": [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer},
    ], "metadata": {"source": f"doc-{rng.randint(1, 5000)}", "category": category, "quality_score": round(rng.uniform(0.6, 1.0), 2)}}


def near_copy(rng, sample, i):
    answer = sample["messages"][2]["content"]
    words = answer.split(" ")
    for _ in range(rng.randint(1, 3)):
        words[rng.randrange(len(words))] = rng.choice(KO_WORDS + EN_WORDS)
    answer = " ".join(words)
    if rng.random() < 0.5:
        answer = rng.choice(["안녕하세요. ", "Hello. ", "답변드립니다. "]) + answer
    if rng.random() < 0.5:
        answer = answer.rstrip(".") + "!"
    copy = json.loads(json.dumps(sample))
    copy["id"] = f"s{i}"
    copy["messages"][2]["content"] = answer
    return copy


def generate(args):
    rng = random.Random(args.seed)
    target = int(args.mb * 1_000_000)
    written = 0
    recent = []
    i = 0
    tmp = args.out + ".part"
    with open(tmp, "w", encoding="utf-8") as out:
        while written < target:
            if recent and rng.random() < 0.2:
                sample = near_copy(rng, rng.choice(recent), i)
            else:
                sample = make_sample(rng, i)
                recent.append(sample)
                if len(recent) > 2000:
                    recent.pop(rng.randrange(len(recent)))
            line = json.dumps(sample, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            i += 1
    os.replace(tmp, args.out)
    print(json.dumps({"samples": i, "bytes": written}))


def call(method, url, token=None, body=None, timeout=3600):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def run(args):
    token = call("POST", f"{args.base}/api/v1/auth/login", body={"username": args.username, "password": args.password})["access_token"]
    size = os.path.getsize(args.file)
    start = time.monotonic()
    upload = subprocess.run(["curl", "-sS", "--fail-with-body", "-H", f"Authorization: Bearer {token}",
                             "-F", f"name={args.name}", "-F", "format=jsonl", "-F", f"file=@{args.file};type=application/octet-stream",
                             f"{args.base}/api/v1/admin/training/datasets"], capture_output=True, text=True)
    if upload.returncode != 0:
        sys.exit(f"upload failed: {upload.stdout[-2000:]} {upload.stderr[-2000:]}")
    created = json.loads(upload.stdout)
    ingested = time.monotonic()
    dataset_id = created["dataset"]["id"]
    body = {"checks": os.environ["BENCH_CHECKS"].split(",")} if os.environ.get("BENCH_CHECKS") else {}
    validation = call("POST", f"{args.base}/api/v1/admin/training/datasets/{dataset_id}/validate", token, body)
    validated = time.monotonic()
    stats = call("GET", f"{args.base}/api/v1/admin/training/datasets/{dataset_id}/stats?version=v1.0", token)
    done = time.monotonic()
    checks = {c["check_type"]: c["result"]["summary"] for c in validation["checks"]}
    print(json.dumps({
        "bytes": size, "samples": created["version"]["total_samples"],
        "ingest_s": ingested - start, "validate_s": validated - ingested, "stats_s": done - validated, "total_s": done - start,
        "service_validate_s": validation.get("seconds"),
        "derived_samples": (validation.get("derived_version") or {}).get("total_samples"),
        "pii_samples": checks.get("pii_detection", {}).get("samples_with_pii"),
        "exact_duplicates": checks.get("duplicate_check", {}).get("duplicates"),
        "near_duplicates": checks.get("near_duplicate_check", {}).get("near_duplicates"),
        "quality_mean": (checks.get("quality_score", {}).get("summary") or {}).get("mean"),
        "stats_samples": stats["stats"].get("sample_count"),
    }))


def report(args):
    e2e = json.load(open(args.e2e))
    ours = json.load(open(args.ours))
    theirs = json.load(open(args.datasketch))
    mb = e2e["bytes"] / 1e6
    mb_per_s = mb / e2e["total_s"]
    ratio = ours["docs_per_s"] / theirs["minhash_docs_per_s"]
    ratio_incl = ours["docs_per_s"] / theirs["docs_per_s"]
    bars = [mb_per_s >= 20, ratio >= 20, args.peak_mb < 1024]
    section = "\n".join([
        "## dataset",
        "",
        f"Command: `{args.command}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average before: {args.load}; 2 vCPUs).",
        "",
        f"A generated {mb:.0f} MB JSONL ({e2e['samples']:,} Korean/English chat samples, PII in ~6%, ~20% near duplicates),",
        "end to end through the gateway: multipart upload (curl) → ingest (parse, canonicalise, AES-256-GCM) →",
        "validate with every check (PII + masking, exact and MinHash LSH near duplicates, quality, toxicity; writes the derived version) → stats.",
        "Release builds, DATASET_WORKERS=2.",
        "",
        "| | figure |",
        "|---|---|",
        f"| upload + ingest | {e2e['ingest_s']:.1f} s |",
        f"| validate (all checks, derived version written) | {e2e['validate_s']:.1f} s |",
        f"| stats | {e2e['stats_s'] * 1000:.0f} ms |",
        f"| **end to end** | **{e2e['total_s']:.1f} s = {mb_per_s:.1f} MB/s** (bar ≥ 20 MB/s) |",
        f"| peak RSS of the dataset service | **{args.peak_mb:.0f} MB** (bar < 1024 MB); gateway {args.gateway_peak_mb:.0f} MB |",
        f"| found | {e2e['pii_samples']:,} samples with PII, {e2e['exact_duplicates']:,} exact and {e2e['near_duplicates']:,} near duplicates; derived version {e2e['derived_samples']:,} samples |",
        "",
        f"MinHash on the same {ours['docs']:,} documents, same normalisation, {ours['shingle_size']}-character shingles, {ours['num_perm']} permutations, one thread, CPU time:",
        "",
        "| | documents/s |",
        "|---|---|",
        f"| ours (`dataset-bench`, Swift `MinHasher`) | {ours['docs_per_s']:,.0f} |",
        f"| datasketch {theirs.get('datasketch_version', '')} `MinHash.update_batch` only | {theirs['minhash_docs_per_s']:,.0f} |",
        f"| datasketch incl. Python normalisation/shingling | {theirs['docs_per_s']:,.0f} |",
        f"| **ratio** (vs datasketch alone / incl. shingling) | **{ratio:.1f}×** / {ratio_incl:.1f}× (bar ≥ 20×) |",
        "",
        "The MinHash inner loop is C (`Services/Dataset/CMinHash`) built in AVX-512, AVX2 and baseline x86-64 clones, chosen at load time;",
        "this machine runs the AVX-512 one. A CPU without AVX-512 runs a slower clone (the earlier all-Swift scalar loop did about half this rate here).",
        "",
        "Bars: " + ("all met." if all(bars) else "NOT all met: " + ", ".join(n for n, ok in zip(["mb_per_s", "minhash_ratio", "peak_mb"], bars) if not ok) + "."),
        "",
    ])
    text = open(args.markdown).read() if os.path.exists(args.markdown) else "# Benchmarks\n"
    pattern = re.compile(r"^## dataset\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    open(args.markdown, "w").write(text)
    print(section)
    print(f"BENCH dataset mb_per_s={mb_per_s:.1f} minhash_ratio={ratio:.1f} peak_mb={args.peak_mb:.0f}")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="action", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--out", required=True)
    g.add_argument("--mb", type=float, default=200)
    g.add_argument("--seed", type=int, default=1)
    r = sub.add_parser("run")
    for name in ["--base", "--username", "--password", "--file"]:
        r.add_argument(name, required=True)
    r.add_argument("--name", default="bench")
    p = sub.add_parser("report")
    for name in ["--e2e", "--ours", "--datasketch", "--markdown", "--command", "--load"]:
        p.add_argument(name, required=True)
    p.add_argument("--peak-mb", type=float, required=True)
    p.add_argument("--gateway-peak-mb", type=float, default=0)
    args = parser.parse_args()
    {"generate": generate, "run": run, "report": report}[args.action](args)


if __name__ == "__main__":
    main()

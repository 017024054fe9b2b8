#!/usr/bin/env bash
# CPU per request of each kind of thread in the brokers, the workers and the
# client, ours against raw libzmq, at one load (a diagnostic for
# `scripts/bench bus`, not a benchmark). Reads task-clock from
# `perf stat --per-thread`: scheduler time, exact, where /proc tick counts
# undercharge threads that run in short bursts (at 1 in flight, raw's REP
# threads showed 1.5 µs per request in ticks and about 38 µs in task-clock).
# Needs perf and the release binaries and .build-bench/raw_zmq that
# `scripts/bench bus` builds.
#   bench/bus-thread-cpu.sh [SIZE] [INFLIGHT] [REQUESTS] [EXECUTOR: client|pool]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "bus-thread-cpu: needs perf (apt-get install linux-perf)" >&2; exit 2; }
B=$(swift build -c release --scratch-path .build-release --show-bin-path)
R=.build-bench/raw_zmq
SIZE=${1:-256}; INF=${2:-64}; N=${3:-100000}; EXECUTOR=${4:-client}
read -r p1 p2 p3 p4 p5 p6 < <(python3 -c 'import socket; s=[socket.socket() for _ in range(6)]; [x.bind(("127.0.0.1", 0)) for x in s]; print(*[x.getsockname()[1] for x in s])')
out=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$out"' EXIT
BUS_ROUTER_BIND=tcp://127.0.0.1:$p1 BUS_XSUB_BIND=tcp://127.0.0.1:$p2 BUS_XPUB_BIND=tcp://127.0.0.1:$p3 \
  METRICS_PORT=$p4 LOG_LEVEL=warning LOG_FORMAT=text "$B/bus" >/dev/null 2>&1 & pids+=($!); bus=("$!")
for _ in 1 2; do "$B/bus-probe" echo-worker --endpoint "tcp://127.0.0.1:$p1" --slots 32 >/dev/null 2>&1 & pids+=($!); bus+=("$!"); done
"$R" broker "tcp://127.0.0.1:$p5" "tcp://127.0.0.1:$p6" & pids+=($!); raw=("$!")
for _ in 1 2; do "$R" worker "tcp://127.0.0.1:$p6" 32 & pids+=($!); raw+=("$!"); done
sleep 2
"$B/bus-probe" bench --endpoint "tcp://127.0.0.1:$p1" --size "$SIZE" --inflight 1 --requests 200 --warmup 0 >/dev/null

measure() { # measure NAME PID... -- CLIENT-CMD...: servers' threads by name, then the client
  local name=$1 servers=(); shift
  while [ "$1" != -- ]; do servers+=("$1"); shift; done; shift
  perf stat --per-thread -e task-clock -p "$(IFS=,; echo "${servers[*]}")" -o "$out/$name.servers" 2>/dev/null & local stat=$!
  sleep 0.5
  perf stat -e task-clock -o "$out/$name.client" "$@" >/dev/null
  kill -INT "$stat"; wait "$stat" 2>/dev/null || true
  # Lines: "  COMM-TID  MSEC msec task-clock ..."; COMM may itself contain '-'.
  awk -v n="$N" -v side="$name" '/task-clock/ && $1 ~ /-[0-9]+$/ { comm = $1; sub(/-[0-9]+$/, "", comm); gsub(",", "", $2); t[comm] += $2 }
    END { for (k in t) if (t[k] * 1000 / n >= 0.05) printf "%-4s %-22s %7.1f us/request\n", side, k, t[k] * 1000 / n }' "$out/$name.servers" | sort
  awk -v n="$N" -v side="$name" '/task-clock/ { gsub(",", "", $1); printf "%-4s %-22s %7.1f us/request\n", side, "client (all threads)", $1 * 1000 / n }' "$out/$name.client"
}
measure bus "${bus[@]}" -- "$B/bus-probe" bench --executor "$EXECUTOR" --endpoint "tcp://127.0.0.1:$p1" --size "$SIZE" --inflight "$INF" --requests "$N" --warmup 1000
measure raw "${raw[@]}" -- "$R" bench "tcp://127.0.0.1:$p5" "$SIZE" "$INF" "$N" 1000

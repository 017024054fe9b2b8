#!/usr/bin/env bash
# CPU per request of each thread of the brokers and workers, ours against raw
# libzmq, at one load (a diagnostic for `scripts/bench bus`, not a benchmark).
# Needs the release binaries and .build-bench/raw_zmq that `scripts/bench bus` builds.
#   bench/bus-thread-cpu.sh [SIZE] [INFLIGHT] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
B=$(swift build -c release --scratch-path .build-release --show-bin-path)
R=.build-bench/raw_zmq
SIZE=${1:-256}; INF=${2:-64}; N=${3:-100000}
read -r p1 p2 p3 p4 p5 p6 < <(python3 -c 'import socket; s=[socket.socket() for _ in range(6)]; [x.bind(("127.0.0.1", 0)) for x in s]; print(*[x.getsockname()[1] for x in s])')
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
BUS_ROUTER_BIND=tcp://127.0.0.1:$p1 BUS_XSUB_BIND=tcp://127.0.0.1:$p2 BUS_XPUB_BIND=tcp://127.0.0.1:$p3 \
  METRICS_PORT=$p4 LOG_LEVEL=warning LOG_FORMAT=text "$B/bus" >/dev/null 2>&1 & pids+=($!); bus=("$!")
for _ in 1 2; do "$B/bus-probe" echo-worker --endpoint "tcp://127.0.0.1:$p1" --slots 32 >/dev/null 2>&1 & pids+=($!); bus+=("$!"); done
"$R" broker "tcp://127.0.0.1:$p5" "tcp://127.0.0.1:$p6" & pids+=($!); raw=("$!")
for _ in 1 2; do "$R" worker "tcp://127.0.0.1:$p6" 32 & pids+=($!); raw+=("$!"); done
sleep 2
# "pid thread-name" -> CPU ticks, summed over threads of the same name.
snap() { for p in "$@"; do for t in /proc/"$p"/task/*; do
  printf '%s:%s %s\n' "$p" "$(tr ' ' _ <"$t/comm")" "$(awk '{print $14+$15}' "$t/stat")"; done; done |
  awk '{a[$1]+=$2} END {for (k in a) print k, a[k]}' | sort; }
measure() { # measure NAME CLIENT-CMD... with the side's pids in SIDE
  local before after
  before=$(snap "${SIDE[@]}")
  "$@" >/dev/null
  after=$(snap "${SIDE[@]}")
  join <(echo "$before") <(echo "$after") | awk -v n="$N" -v hz="$(getconf CLK_TCK)" -v side="$NAME" \
    '{us=($3-$2)*1e6/hz/n; if (us > 0.05) printf "%-4s %-24s %6.1f us/request\n", side, $1, us}'
}
"$B/bus-probe" bench --endpoint "tcp://127.0.0.1:$p1" --size "$SIZE" --inflight 1 --requests 200 --warmup 0 >/dev/null
NAME=bus; SIDE=("${bus[@]}"); measure "$B/bus-probe" bench --endpoint "tcp://127.0.0.1:$p1" --size "$SIZE" --inflight "$INF" --requests "$N" --warmup 1000
NAME=raw; SIDE=("${raw[@]}"); measure "$R" bench "tcp://127.0.0.1:$p5" "$SIZE" "$INF" "$N" 1000

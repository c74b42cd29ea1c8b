#!/usr/bin/env bash
# API throughput: an engine holding 10,000 jobs, loaded by wrk from this machine (loopback,
# bounded to 10 s per run) with pre-signed GET /jobs/{id} and GET /jobs?Marker=…&MaxItemCount=50.
# Reports requests/s, latency percentiles and the engine's peak RSS.
# Targets: >= 2,000 requests/s for get, RSS under 150 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_apt wrk
for p in bcctl bcops-keeper; do swift build -c release --product "$p" >&2; done
swift build -c release --product bcbench >&2
source bench/lib.sh
data=$(mktemp -d)
"$BIN/bcbench" api-populate "$data" "${1:-10000}"
start_engine "$data"
port=$ENGINE_PORT
engine=$ENGINE_PID
for kind in get list; do
  "$BIN/bcbench" api-script "$data" "$kind" > "$data/$kind.lua"
  echo "== GET ${kind/get//jobs/{id\}} (2 threads, 16 connections, 10 s)"
  wrk -t2 -c16 -d10s --latency -s "$data/$kind.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency |50%|90%|99%|Non-2xx|requests in"
done
echo "engine peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$engine/status)"

#!/usr/bin/env bash
# API throughput: an engine holding 10,000 jobs, loaded by wrk from this machine (loopback,
# bounded to 10 s per run) with pre-signed GET /jobs/{id} and GET /jobs?Marker=…&MaxItemCount=50.
# Reports requests/s, latency percentiles and the engine's peak RSS.
# Targets: >= 2,000 requests/s for get, RSS under 150 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_apt wrk
swift build -c release --product bcctl >&2
swift build -c release --product bcbench >&2
data=$(mktemp -d)
.build/release/bcbench api-populate "$data" "${1:-10000}"
log="$data/engine.log"
.build/release/bcctl engine serve --data "$data" --listen 127.0.0.1:0 > "$log" 2>&1 &
engine=$!
trap 'kill $engine 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
for kind in get list; do
  .build/release/bcbench api-script "$data" "$kind" > "$data/$kind.lua"
  echo "== GET ${kind/get//jobs/{id\}} (2 threads, 16 connections, 10 s)"
  wrk -t2 -c16 -d10s --latency -s "$data/$kind.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency |50%|90%|99%|Non-2xx|requests in"
done
echo "engine peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$engine/status)"

#!/usr/bin/env bash
# Fair scheduling: the start latency of a 1-instance job on an idle cluster while N instances
# (default 10,000) wait elsewhere, on a full cluster and on a 0-node cluster, against the same
# job on an engine with no backlog at all, in the same run. Target: within one dispatch cycle
# of the no-backlog latency (a backlog elsewhere must not hold the job back).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_sdk_venv
need_apt bc
n="${1:-10000}"
rounds="${2:-20}"
for p in bcctl bcops-keeper; do swift build -c release --product "$p" >&2; done
source bench/lib.sh

measure() {  # KIND → median seconds, each on a fresh engine
  start_engine
  "$BCOPS_SDK_PYTHON" bench/backlog.py "$ENGINE_PORT" "$ENGINE_ID" "$ENGINE_SECRET" "$n" "$rounds" "$1"
  kill "$ENGINE_PID"; wait "$ENGINE_PID" 2>/dev/null || true; rm -rf "$ENGINE_DATA"; trap - EXIT
}
none=$(measure none)
full=$(measure full)
empty=$(measure empty)
printf 'start latency, no backlog (the peer):                          %.1f ms\n' "$(echo "$none * 1000" | bc -l)"
printf 'start latency, %d instances waiting on a full cluster:      %.1f ms\n' "$n" "$(echo "$full * 1000" | bc -l)"
printf 'start latency, %d instances waiting on a 0-node cluster:    %.1f ms\n' "$n" "$(echo "$empty * 1000" | bc -l)"
printf 'ratio full-cluster backlog / none:   %.2fx\n' "$(echo "$full / $none" | bc -l)"
printf 'ratio 0-node backlog / none:         %.2fx\n' "$(echo "$empty / $none" | bc -l)"

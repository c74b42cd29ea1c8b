#!/usr/bin/env bash
# The dashboard at issue 17's scale: an engine holding COUNT (default 10,000) ended jobs and
# one finished job of 1,000 instances (with small logs, run for real), with `--ui-listen`.
# Times, p50 and p95 over ROUNDS (default 50) sequential requests each:
#   GET /ui/finished?state=Failed&name=shot-12 and GET /ui/finished?page=3 (all ended), against
#   the plain API calls for the same data (ListJobs with bcops' filters and count, and
#   /bcops/job-counts for the header);
#   GET /ui/jobs/<id> of the 1,000-instance job, against GetJob + ListTasks + ListInstances.
# Prints the ratios and the verdict against the targets: a finished page under 100 ms, the
# job page under 200 ms (p95). Also, for reference, what reading every ended job through
# BatchCompute's Marker pages costs (how the finished list read before the extensions).
set -euo pipefail
cd "$(dirname "$0")/.."
# BCOPS_BIN=/dir: that build's binaries as they are (bench/lib.sh), nothing built here.
[ -n "${BCOPS_BIN:-}" ] || for p in bcctl bcops-keeper bcbench; do swift build -c release --product "$p" >&2; done
source bench/lib.sh
count="${1:-10000}"
rounds="${2:-50}"
data=$(mktemp -d)
"$BIN/bcbench" dashboard-populate "$data" "$count"
ENGINE_ARGS="--ui-listen 127.0.0.1:0" start_engine "$data"
trap stop_engine_and_leftovers EXIT
for _ in $(seq 100); do grep -q "dashboard listening on http" "$ENGINE_DATA/engine.log" && break; sleep 0.1; done
ui=$(sed -n 's/.*dashboard listening on \(http:\/\/127.0.0.1:[0-9]*\)\/ui\/.*/\1/p' "$ENGINE_DATA/engine.log")
[ -n "$ui" ] || { echo "the dashboard did not start:"; cat "$ENGINE_DATA/engine.log"; exit 1; }
"$BIN/bcbench" dashboard-measure "$ui" "$rounds"
echo "engine peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$ENGINE_PID/status)"

#!/usr/bin/env bash
# Cromwell server mode: N (default 200) small workflows of one call each, run two ways against
# a fresh release engine each, one after the other:
#
# * through the Cromwell API (`bcctl engine serve --cromwell-listen`): one client submits them
#   one by one (multipart POST, as cromshell does: each is checked by miniwdl, staged and
#   recorded before its 201), then polls /query until all have ended. Timed from the first
#   submit to the last Succeeded; and each submit's latency, p50 and p99;
# * the same N as WorkflowRun manifests (the same WDL, the same inputs, inline), applied with
#   one `bcapply -auto-approve`, then `bcctl jobs` polled until every runner job has ended.
#   Timed from bcapply's start.
#
# Each workflow is one runner job (miniwdl with bcops' backend) and one call job, so both ways
# run the same 2N jobs; what differs is the way in. Every workflow has its own inputs, so
# every check is miniwdl's (no inspection cache hit) in both.
# Usage: bench/cromwell.sh   (N=50 for a quicker run; BCOPS_BIN=DIR to use built binaries instead of a
# release build: a copy of them, not .build/debug itself, which a build elsewhere rewrites under
# the running benchmark; DIR needs a .build-venv beside it, e.g. a symlink to this one)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_workflow_venv
n="${N:-200}"
if [ -z "${BCOPS_BIN:-}" ]; then
  for p in bcctl bcplan bcapply bcops-keeper; do swift build -c release --product "$p" >&2; done
fi
py="$PWD/.build-venv/bin/python"
# In every message, so no check of either way is an inspection cache hit (~/.cache/bcops/wdl-inspect).
nonce=$(date +%s%N)
source bench/lib.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/one.wdl" << 'EOF_WDL'
version 1.0

workflow one {
  call echo
  output { String said = echo.said }
}

task echo {
  input { String message }
  command <<<
    echo "~{message}"
  >>>
  output { String said = read_string(stdout()) }
  runtime { cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc" }
}
EOF_WDL

echo "==> $n workflows through the Cromwell API" >&2
ENGINE_ARGS="--cromwell-listen 127.0.0.1:0" start_engine
for _ in $(seq 100); do grep -q "cromwell API listening on" "$ENGINE_DATA/engine.log" && break; sleep 0.1; done
cromwell_port=$(sed -n 's/.*cromwell API listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$ENGINE_DATA/engine.log" | head -1)
read -r p50 p99 api_seconds api_ok < <("$py" bench/cromwell.py api "http://127.0.0.1:$cromwell_port" "$n" "$work/one.wdl" "api $nonce")
stop_engine_and_leftovers
trap 'rm -rf "$work"' EXIT
printf '    Cromwell API: %.1f s, %s/%s succeeded; submit p50 %s ms, p99 %s ms\n' "$api_seconds" "$api_ok" "$n" "$p50" "$p99" >&2

echo "==> the same $n as WorkflowRun manifests, one bcapply" >&2
start_engine
estate="$work/estate"
mkdir -p "$estate/.bcops"
cp "$work/one.wdl" "$estate/"
echo "workspace: bench-cromwell" > "$estate/.bcops/settings.yaml"
for i in $(seq 0 $((n - 1))); do
  cat > "$estate/run-$i.yaml" << EOF_RUN
apiVersion: bcops.io/v1
kind: WorkflowRun
metadata:
  name: bench-one-$i
spec:
  workflow: one.wdl
  inputs:
    one.echo.message: run $nonce $i
  workingDir: oss://bench-cromwell/work/
  outputsDir: oss://bench-cromwell/outputs/$i/
EOF_RUN
done
t0=$EPOCHREALTIME
"$BIN/bcapply" "$estate" -auto-approve -no-color > "$work/apply.log" 2>&1 || { tail -20 "$work/apply.log" >&2; exit 1; }
apply_seconds=$(echo "$EPOCHREALTIME - $t0" | bc -l)
read -r runs_seconds runs_ok < <("$py" bench/cromwell.py jobs "$n" bench-one- "$t0" "$BIN/bcctl")
stop_engine_and_leftovers
trap 'rm -rf "$work"' EXIT

printf '\n%d one-call workflows, %s, %s cores\n' "$n" "$BIN" "$(nproc)"
printf '  %-44s %8s %10s\n' "way in" "seconds" "succeeded"
printf '  %-44s %8.1f %10s\n' "Cromwell API (submit one by one, then /query)" "$api_seconds" "$api_ok/$n"
printf '  %-44s %8.1f %10s\n' "WorkflowRun manifests (one bcapply)" "$runs_seconds" "$runs_ok/$n"
printf '  API submit latency: p50 %s ms, p99 %s ms; bcapply itself: %.1f s\n' "$p50" "$p99" "$apply_seconds"

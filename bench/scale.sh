#!/usr/bin/env bash
# The scaling benchmark (issue #19): the curve in one run. For each size N (default 1,000,
# 3,000, 10,000 and 30,000 resources) it runs
#   bench/apply.sh N       bcapply of N new Apps, and the same N creates made directly
#                          (best of 3 below 30,000, of 2 from it; APPLY_ROUNDS=K for all);
#   bench/plan.sh N        no-op plan of N resources (half Apps, half Clusters, 100 per file)
#                          and bcplan validate of them, best of 5 each (PLAN_ROUNDS=K);
#   bench/controller.sh    round 2 only (`bcctl controller --endpoint` and `bcctl engine serve`,
#                          two processes): push→Ready of N resources (3/4 Apps, 1/4 Clusters,
#                          in N/50 files), the controller's and the engine's peak RSS, and the
#                          webhook→apply-start p50 of 10 one-App commits (COMMITS=K); twice
#                          (CONTROLLER_ROUNDS=K): the best push→Ready, the highest RSS, the p50
#                          over both rounds' commits;
# and prints one table: each figure, and its ratio to its linear extrapolation from the
# smallest size (value_N / (value_base × N / base)); for the RSS and the one-commit latency,
# which should not grow with N, also the ratio to the smallest size's value.
#
# Usage: bash bench/scale.sh [SIZES...]        (default: 1000 3000 10000 30000)
#   BCOPS_BIN=/dir   that build's release binaries (bcctl, bcops-keeper, bcplan, bcapply,
#                    bcbench) as they are; without it, they are built here once (release).
#   SCALE_OUT=/dir   keep every sub-benchmark's output and JSON there (default: a temporary
#                    directory, removed at the end); SCALE_JSON=path: the table's figures as JSON.
# About 7 minutes at the default sizes on 2 cores (6.5 min at load average 4–6).
# Figures: bench/README.md, "Scaling (#19)"; for operators: docs/sizing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 3000 10000 30000)
for n in "${sizes[@]}"; do
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 100 ]; then echo "scale.sh: a size is a number of resources >= 100, not '$n'" >&2; exit 2; fi
done

if [ -n "${BCOPS_BIN:-}" ]; then
  BCOPS_BIN=$(cd "$BCOPS_BIN" && pwd)
else
  for p in bcctl bcops-keeper bcplan bcapply bcbench; do swift build -c release --product "$p" >&2; done
  BCOPS_BIN="$PWD/.build/release"
fi
export BCOPS_BIN
for p in bcctl bcops-keeper bcplan bcapply bcbench; do
  [ -x "$BCOPS_BIN/$p" ] || { echo "scale.sh: $BCOPS_BIN/$p is missing" >&2; exit 1; }
done

if [ -n "${SCALE_OUT:-}" ]; then
  out="$SCALE_OUT"; mkdir -p "$out"
else
  out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
fi
commits="${COMMITS:-10}"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(load)" > "$out/load.start"
start=$(date +%s)
failed=0
# run NAME N COMMAND...: one sub-benchmark, its output in $out/NAME.N.log; the load average
# before it in $out/NAME.N.load; on failure, its last lines, and the run goes on.
run() {
  local name=$1 n=$2; shift 2
  load > "$out/$name.$n.load"
  echo "== $(date -u +%H:%M:%S) $name, $n resources (load average $(load))" >&2
  if ! "$@" > "$out/$name.$n.log" 2>&1; then
    echo "scale.sh: $name at $n failed; its last lines:" >&2
    tail -15 "$out/$name.$n.log" >&2
    failed=1
  fi
}
for n in "${sizes[@]}"; do
  rounds="${APPLY_ROUNDS:-}"
  [ -n "$rounds" ] || { rounds=3; [ "$n" -ge 30000 ] && rounds=2; }
  for k in $(seq "$rounds"); do
    BENCH_JSON="$out/apply.$n.$k.json" run "apply" "$n.$k" bash bench/apply.sh "$n"
  done
  ROUNDS="${PLAN_ROUNDS:-5}" BENCH_JSON="$out/plan.$n.json" run plan "$n" bash bench/plan.sh "$n"
  files=$((n / 50)); [ "$files" -ge 1 ] || files=1
  rounds="${CONTROLLER_ROUNDS:-2}"
  for k in $(seq "$rounds"); do
    BENCH_SIZE="$((n * 3 / 4)),$((n - n * 3 / 4)),$files" BENCH_ROUNDS=separate BENCH_CONTROLLER_JSON="$out/controller.$n.$k.json" \
      run controller "$n.$k" bash bench/controller.sh "$commits"
  done
done
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(load)" > "$out/load.end"
PYTHON=.build-venv/bin/python
[ -x "$PYTHON" ] || PYTHON=python3
"$PYTHON" bench/scale.py "$out" "$BCOPS_BIN" "$(( $(date +%s) - start ))" "${sizes[@]}"
exit "$failed"

#!/usr/bin/env bash
# No-op plan of N resources (default 10,000) that the engine already holds, against loading
# and validating the same manifests alone (bcplan validate), in one run. Targets: ratio
# <= 2x, under 3 s wall, peak RSS under 200 MB. BCPLAN=/path/to/bcplan measures another build
# of bcplan (for before/after comparisons) against the same engine and estate.
# BCOPS_LOG=debug: also prints one plan's phase times (BCPlan/Session/PhaseClock.swift).
# BCOPS_BIN=/dir: that build's binaries as they are (bench/lib.sh), nothing built here.
# ROUNDS=K: best of K runs of each (default 5). BENCH_JSON=path: also writes the figures there
# as JSON (bench/scale.sh reads them).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_apt time bc
n="${1:-10000}"
debug="${BCOPS_LOG:-}"
unset BCOPS_LOG  # the timed runs print nothing extra
[ -n "${BCOPS_BIN:-}" ] || for p in bcctl bcops-keeper bcplan bcapply; do swift build -c release --product "$p" >&2; done
rounds="${ROUNDS:-5}"
source bench/lib.sh
start_engine
estate="$ENGINE_DATA/estate"
python3 bench/estate.py "$estate" "$n"
echo "applying $n resources (setup)..." >&2
"$BIN/bcapply" "$estate" -auto-approve -no-color -parallelism 16 | tail -1 >&2

# Best wall time of ROUNDS (5) runs of each, validate and plan taking turns (on this shared machine a
# burst of load otherwise lands on one side of the ratio), and the peak RSS (KiB) of the last.
# Wall time from the clock in ns (time's %e has 10 ms steps: a plan of 1,000 takes ~30 ms).
time_one() {
  local t0 t1
  t0=$(date +%s.%N)
  local rc=0
  /usr/bin/time -f "%M" -o "$ENGINE_DATA/time" "$@" > "$ENGINE_DATA/out" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  echo "$rc" > "$ENGINE_DATA/rc"  # the plan's: 0 is no changes (-detailed-exitcode)
  echo "$(echo "$t1 - $t0" | bc -l) $(tail -1 "$ENGINE_DATA/time")"
}
bcplan="${BCPLAN:-$BIN/bcplan}"
validate=999 plan=999
for _ in $(seq "$rounds"); do
  read -r t vrss < <(time_one "$bcplan" validate "$estate" -no-color)
  validate=$(echo "if ($t < $validate) $t else $validate" | bc -l)
  read -r t prss < <(time_one "$bcplan" "$estate" -no-color -detailed-exitcode)
  plan=$(echo "if ($t < $plan) $t else $plan" | bc -l)
  plan_rc=$(cat "$ENGINE_DATA/rc")
done
if [ "$debug" = debug ]; then BCOPS_LOG=debug "$bcplan" "$estate" -no-color 2>&1 >/dev/null | grep 'phase=' >&2 || true; fi
tail -1 "$ENGINE_DATA/out"
printf 'load + validate %d manifests (bcplan validate): %.3f s, peak RSS %d MB\n' "$n" "$validate" "$((vrss / 1024))"
printf 'no-op plan of %d resources (bcplan):            %.3f s, peak RSS %d MB\n' "$n" "$plan" "$((prss / 1024))"
printf 'ratio plan / validate: %.2fx (target <= 2x; plan under 3 s and 200 MB)\n' "$(echo "$plan / $validate" | bc -l)"
if [ -n "${BENCH_JSON:-}" ]; then
  printf '{"n": %d, "rounds": %d, "plan_seconds": %.3f, "validate_seconds": %.3f, "plan_rss_kib": %d, "validate_rss_kib": %d, "plan_exit": %d}\n' \
    "$n" "$rounds" "$plan" "$validate" "$prss" "$vrss" "$plan_rc" > "$BENCH_JSON"
fi

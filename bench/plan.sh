#!/usr/bin/env bash
# No-op plan of N resources (default 10,000) that the engine already holds, against loading
# and validating the same manifests alone (bcplan validate), in one run. Targets: ratio
# <= 2x, under 3 s wall, peak RSS under 200 MB. BCPLAN=/path/to/bcplan measures another build
# of bcplan (for before/after comparisons) against the same engine and estate.
# BCOPS_LOG=debug: also prints one plan's phase times (BCPlan/Session/PhaseClock.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_apt time bc
n="${1:-10000}"
debug="${BCOPS_LOG:-}"
unset BCOPS_LOG  # the timed runs print nothing extra
for p in bcctl bcops-keeper bcplan bcapply; do swift build -c release --product "$p" >&2; done
source bench/lib.sh
start_engine
estate="$ENGINE_DATA/estate"
python3 bench/estate.py "$estate" "$n"
echo "applying $n resources (setup)..." >&2
"$BIN/bcapply" "$estate" -auto-approve -no-color -parallelism 16 | tail -1 >&2

# Best wall time of 5 runs of each, validate and plan taking turns (on this shared machine a
# burst of load otherwise lands on one side of the ratio), and the peak RSS (KiB) of the last.
time_one() {
  /usr/bin/time -f "%e %M" -o "$ENGINE_DATA/time" "$@" > "$ENGINE_DATA/out" 2>&1 || [ $? -eq 0 ]
  cat "$ENGINE_DATA/time"
}
bcplan="${BCPLAN:-$BIN/bcplan}"
validate=999 plan=999
for _ in 1 2 3 4 5; do
  read -r t vrss < <(time_one "$bcplan" validate "$estate" -no-color)
  validate=$(echo "if ($t < $validate) $t else $validate" | bc -l)
  read -r t prss < <(time_one "$bcplan" "$estate" -no-color -detailed-exitcode)
  plan=$(echo "if ($t < $plan) $t else $plan" | bc -l)
done
if [ "$debug" = debug ]; then BCOPS_LOG=debug "$bcplan" "$estate" -no-color 2>&1 >/dev/null | grep 'phase=' >&2 || true; fi
tail -1 "$ENGINE_DATA/out"
printf 'load + validate %d manifests (bcplan validate): %.2f s, peak RSS %d MB\n' "$n" "$validate" "$((vrss / 1024))"
printf 'no-op plan of %d resources (bcplan):            %.2f s, peak RSS %d MB\n' "$n" "$plan" "$((prss / 1024))"
printf 'ratio plan / validate: %.2fx (target <= 2x; plan under 3 s and 200 MB)\n' "$(echo "$plan / $validate" | bc -l)"

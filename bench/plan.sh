#!/usr/bin/env bash
# No-op plan of N resources (default 10,000) that the engine already holds, against loading
# and validating the same manifests alone (bcplan validate), in one run. Targets: ratio
# <= 2x, under 3 s wall, peak RSS under 200 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_apt time bc
n="${1:-10000}"
for p in bcctl bcplan bcapply; do swift build -c release --product "$p" >&2; done
source bench/lib.sh
start_engine
estate="$ENGINE_DATA/estate"
python3 bench/estate.py "$estate" "$n"
echo "applying $n resources (setup)..." >&2
.build/release/bcapply "$estate" -auto-approve -no-color -parallelism 16 | tail -1 >&2

best() {  # best wall time of 5 runs, and the peak RSS (KiB) of the last
  local best=999 rss=0
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$ENGINE_DATA/time" "$@" > "$ENGINE_DATA/out" 2>&1 || [ $? -eq 0 ]
    read -r t m < "$ENGINE_DATA/time"
    best=$(echo "if ($t < $best) $t else $best" | bc -l); rss=$m
  done
  echo "$best $rss"
}
read -r validate vrss < <(best .build/release/bcplan validate "$estate" -no-color)
read -r plan prss < <(best .build/release/bcplan "$estate" -no-color -detailed-exitcode)
tail -1 "$ENGINE_DATA/out"
printf 'load + validate %d manifests (bcplan validate): %.2f s, peak RSS %d MB\n' "$n" "$validate" "$((vrss / 1024))"
printf 'no-op plan of %d resources (bcplan):            %.2f s, peak RSS %d MB\n' "$n" "$plan" "$((prss / 1024))"
printf 'ratio plan / validate: %.2fx (target <= 2x; plan under 3 s and 200 MB)\n' "$(echo "$plan / $validate" | bc -l)"

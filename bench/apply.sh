#!/usr/bin/env bash
# Apply of N creates (default 1,000 Apps) with bcapply -parallelism 10, against the same N
# create calls made directly through bcops' API client, 10 at a time, in the same run.
# BENCH_JSON=path: also writes the figures there as JSON (bench/scale.sh reads them).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_apt bc
n="${1:-1000}"
# BCOPS_BIN=/dir: that build's binaries as they are (bench/lib.sh), nothing built here.
[ -n "${BCOPS_BIN:-}" ] || for p in bcctl bcops-keeper bcapply bcbench; do swift build -c release --product "$p" >&2; done
source bench/lib.sh
start_engine
estate="$ENGINE_DATA/estate"
mkdir -p "$estate"
python3 - "$estate" "$n" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
with open(d + "/apps.yaml", "w") as f:
    f.write("---\n".join(f"apiVersion: bcops.io/v1\nkind: App\nmetadata:\n  name: app-{i}\nspec:\n  image:\n    docker:\n      image: busybox\n  commandLine: echo {i}\n" for i in range(n)))
PY
direct=$("$BIN/bcbench" direct-creates "$n" 10)
t0=$(date +%s.%N)
"$BIN/bcapply" "$estate" -auto-approve -no-color -parallelism 10 | tail -1
t1=$(date +%s.%N)
apply=$(echo "$t1 - $t0" | bc -l)
printf '%d creates through the API client, 10 at a time: %.3f s\n' "$n" "$direct"
printf 'bcapply of %d new Apps, -parallelism 10 (plan included): %.3f s\n' "$n" "$apply"
printf 'ratio bcapply / direct calls: %.2fx\n' "$(echo "$apply / $direct" | bc -l)"
if [ -n "${BENCH_JSON:-}" ]; then
  printf '{"n": %d, "bcapply_seconds": %.4f, "direct_seconds": %.4f}\n' "$n" "$apply" "$direct" > "$BENCH_JSON"
fi

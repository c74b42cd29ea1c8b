#!/usr/bin/env bash
# Dispatch: one job of N instances (default 1,000) of /bin/true on a cluster of 2 slots,
# submitted and watched through the official SDK, against spawning the same N processes
# with 2-way parallelism (xargs -P2) in the same run. Target: ratio <= 1.5x.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_sdk_venv
need_apt bc
n="${1:-1000}"
swift build -c release --product bcctl >&2
source bench/lib.sh
start_engine

engine_s=$("$BCOPS_SDK_PYTHON" bench/dispatch.py "$ENGINE_PORT" "$ENGINE_ID" "$ENGINE_SECRET" "$n")
t0=$(date +%s.%N); seq "$n" | xargs -P2 -n1 sh -c /bin/true > /dev/null; t1=$(date +%s.%N)
xargs_sh=$(echo "$t1 - $t0" | bc -l)
t0=$(date +%s.%N); seq "$n" | xargs -P2 -n1 /bin/true > /dev/null; t1=$(date +%s.%N)
xargs_true=$(echo "$t1 - $t0" | bc -l)
printf 'engine, %d instances of /bin/true on 2 slots:   %.3f s\n' "$n" "$engine_s"
printf 'xargs -P2 sh -c /bin/true (same shell per process): %.3f s\n' "$xargs_sh"
printf 'xargs -P2 /bin/true:                            %.3f s\n' "$xargs_true"
printf 'ratio engine / xargs (sh -c):  %.2fx (target <= 1.5x)\n' "$(echo "$engine_s / $xargs_sh" | bc -l)"
printf 'ratio engine / xargs (direct): %.2fx\n' "$(echo "$engine_s / $xargs_true" | bc -l)"

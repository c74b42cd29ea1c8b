#!/usr/bin/env bash
# Dispatch: one job of N instances (default 1,000) of /bin/true on a cluster of 2 slots,
# submitted and watched through the official SDK, against spawning the same N processes
# with 2-way parallelism (xargs -P2) in the same run. Target: ratio <= 1.5x.
#
# The engine runs a plain command line like /bin/true directly (no shell), so its peer is
# `xargs -P2 -n1 /bin/true`. A command line that needs a shell (`/bin/true > /dev/null`)
# runs through /bin/sh -c, and is measured against `xargs -P2 -n1 sh -c '…'`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_sdk_venv
need_apt bc
n="${1:-1000}"
for p in bcctl bcops-keeper; do swift build -c release --product "$p" >&2; done
source bench/lib.sh
start_engine

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
engine_direct=$("$BCOPS_SDK_PYTHON" bench/dispatch.py "$ENGINE_PORT" "$ENGINE_ID" "$ENGINE_SECRET" "$n" /bin/true)
xargs_direct=$(seconds sh -c "seq $n | xargs -P2 -n1 /bin/true")
engine_shell=$("$BCOPS_SDK_PYTHON" bench/dispatch.py "$ENGINE_PORT" "$ENGINE_ID" "$ENGINE_SECRET" "$n" '/bin/true > /dev/null')
xargs_shell=$(seconds sh -c "seq $n | xargs -P2 -n1 sh -c '/bin/true > /dev/null'")
printf 'engine, %d instances of /bin/true on 2 slots:            %.3f s\n' "$n" "$engine_direct"
printf 'xargs -P2 -n1 /bin/true:                                 %.3f s\n' "$xargs_direct"
printf 'engine, %d instances of "/bin/true > /dev/null" (sh -c): %.3f s\n' "$n" "$engine_shell"
printf "xargs -P2 -n1 sh -c '/bin/true > /dev/null':             %.3f s\n" "$xargs_shell"
printf 'ratio engine / xargs, plain command line:  %.2fx (target <= 1.5x)\n' "$(echo "$engine_direct / $xargs_direct" | bc -l)"
printf 'ratio engine / xargs, through a shell:     %.2fx (target <= 1.5x)\n' "$(echo "$engine_shell / $xargs_shell" | bc -l)"

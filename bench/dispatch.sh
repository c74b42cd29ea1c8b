#!/usr/bin/env bash
# Dispatch: one job of N instances (default 1,000) of /bin/true on a cluster of 2 slots,
# submitted and watched through the official SDK, against spawning the same N processes
# with 2-way parallelism (xargs -P2) in the same run, best of 3 each. Target: ratio <= 1.2x.
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
min() { echo "if ($1 < $2) $1 else $2" | bc -l; }
# Best of ROUNDS (default 3) of each, the engine and xargs taking turns: on this shared
# machine a burst of load otherwise lands on one side of the ratio.
engine_direct=999 xargs_direct=999 engine_shell=999 xargs_shell=999
for _ in $(seq "${ROUNDS:-3}"); do
  engine_direct=$(min "$engine_direct" "$("$BCOPS_SDK_PYTHON" bench/dispatch.py "$ENGINE_PORT" "$ENGINE_ID" "$ENGINE_SECRET" "$n" /bin/true)")
  xargs_direct=$(min "$xargs_direct" "$(seconds sh -c "seq $n | xargs -P2 -n1 /bin/true")")
  engine_shell=$(min "$engine_shell" "$("$BCOPS_SDK_PYTHON" bench/dispatch.py "$ENGINE_PORT" "$ENGINE_ID" "$ENGINE_SECRET" "$n" '/bin/true > /dev/null')")
  xargs_shell=$(min "$xargs_shell" "$(seconds sh -c "seq $n | xargs -P2 -n1 sh -c '/bin/true > /dev/null'")")
done
printf 'engine, %d instances of /bin/true on 2 slots:            %.3f s\n' "$n" "$engine_direct"
printf 'xargs -P2 -n1 /bin/true:                                 %.3f s\n' "$xargs_direct"
printf 'engine, %d instances of "/bin/true > /dev/null" (sh -c): %.3f s\n' "$n" "$engine_shell"
printf "xargs -P2 -n1 sh -c '/bin/true > /dev/null':             %.3f s\n" "$xargs_shell"
printf 'ratio engine / xargs, plain command line:  %.2fx (target <= 1.2x)\n' "$(echo "$engine_direct / $xargs_direct" | bc -l)"
printf 'ratio engine / xargs, through a shell:     %.2fx (target <= 1.2x)\n' "$(echo "$engine_shell / $xargs_shell" | bc -l)"

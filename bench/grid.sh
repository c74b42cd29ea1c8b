#!/usr/bin/env bash
# Grid Engine and Slurm executors: one job of N instances (default 100) of `true` through the
# engine's gridengine executor (submitted and watched through the official SDK), against a raw
# `qsub -t 1-N` of the same, in one run; then the slurm executor against a raw
# `sbatch --array=1-N`. Both schedulers have 2 slots (scripts/gridengine.sh, scripts/slurm.sh
# on a 2-core machine), and both sides use the same queue, all.q (SGECluster tests add queues of
# their own, which a job without -q may land in). Best of ROUNDS (default 3) of each, the engine
# and the raw array taking turns: on this shared machine a burst of load otherwise lands on one
# side of the ratio. Target: ratio <= 1.1x.
#
# The engine's time is its own record (job creation to the end of the last instance, as it
# learned it from the scheduler); the raw array's is submission to the array leaving the queue,
# polled every 0.1 s. Usage: bench/grid.sh [N] [gridengine|slurm|both]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_sdk_venv
need_apt bc
n="${1:-100}"
which="${2:-both}"
swift build -c release --product bcctl >&2
source bench/lib.sh

min() { echo "if ($1 < $2) $1 else $2" | bc -l; }

seconds_until_gone() { # command that prints nothing once the array left the queue
  local t0 t1; t0=$1; shift
  while [ -n "$("$@" 2>/dev/null)" ]; do sleep 0.1; done
  t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l
}

raw_gridengine() {
  local dir t0 id; dir=$(mktemp -d)
  t0=$(date +%s.%N)
  id=$(qsub -terse -t "1-$n" -q all.q -b y -N bench-raw -o /dev/null -j y -wd "$dir" true | cut -d. -f1)
  seconds_until_gone "$t0" sh -c "qstat -u '*' | awk '\$1 == $id'"
  rm -rf "$dir"
}

raw_slurm() {
  local dir t0 id; dir=$(mktemp -d)
  t0=$(date +%s.%N)
  id=$(sbatch --parsable "--array=1-$n" -p debug -J bench-raw -o /dev/null -D "$dir" --wrap true)
  seconds_until_gone "$t0" squeue -h -j "$id" -t PD,R,CG,CF
  rm -rf "$dir"
}

through_engine() { # executor arguments
  ENGINE_ARGS="--executor $*" start_engine
  "$BCOPS_SDK_PYTHON" bench/dispatch.py "$ENGINE_PORT" "$ENGINE_ID" "$ENGINE_SECRET" "$n" true
  kill "$ENGINE_PID"; wait "$ENGINE_PID" 2>/dev/null || true
  rm -rf "$ENGINE_DATA"; trap - EXIT
}

if [ "$which" = both ] || [ "$which" = gridengine ]; then
  need_gridengine
  engine=999 raw=999
  for _ in $(seq "${ROUNDS:-3}"); do
    engine=$(min "$engine" "$(through_engine gridengine --grid-queue all.q)")
    raw=$(min "$raw" "$(raw_gridengine)")
  done
  printf 'engine --executor gridengine, %d instances of true on 2 slots: %.3f s\n' "$n" "$engine"
  printf 'qsub -t 1-%d -q all.q -b y true:                             %.3f s\n' "$n" "$raw"
  printf 'ratio engine / qsub:  %.2fx (target <= 1.1x)\n' "$(echo "$engine / $raw" | bc -l)"
fi
if [ "$which" = both ] || [ "$which" = slurm ]; then
  need_slurm
  engine=999 raw=999
  for _ in $(seq "${ROUNDS:-3}"); do
    engine=$(min "$engine" "$(through_engine slurm --slurm-partition debug)")
    raw=$(min "$raw" "$(raw_slurm)")
  done
  printf 'engine --executor slurm, %d instances of true on 2 CPUs:     %.3f s\n' "$n" "$engine"
  printf 'sbatch --array=1-%d -p debug --wrap true:                   %.3f s\n' "$n" "$raw"
  printf 'ratio engine / sbatch: %.2fx (target <= 1.1x)\n' "$(echo "$engine / $raw" | bc -l)"
fi

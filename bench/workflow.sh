#!/usr/bin/env bash
# Workflows: the same small WDL workflow (examples/germline-small: 8 calls, a scatter of 2,
# bwa -> samtools -> bcftools on data it makes itself) run two ways in one run, best of
# ROUNDS (default 3) each, taking turns:
#
# * plain `miniwdl run` (1.16) with its local runner, the `bare` container backend
#   (miniwdl-backend-bare 0.0.1, the documented no-Docker runner), --no-cache, a fresh run
#   directory in a temp dir; bcops' own miniwdl plugins, installed in the same venv, are
#   disabled for it ([plugins] disable_patterns), so it is miniwdl alone;
# * a WorkflowRun of the same WDL and inputs through `bcapply -auto-approve` and a release
#   engine: the runner job (the engine's `cromwell` App: bcctl workflow runner -> python -m
#   bcops_miniwdl.runner) submits one engine job per call. callCaching off and a new `rerun:`
#   token each round, so every round runs every call. Timed from bcapply's start to the runner
#   job's EndTime as the engine records it (after the final outputs and the metadata are in
#   OSS); one SDK watcher process polls the job every 50 ms and reads the times afterwards.
#
# Target: bcops / miniwdl <= 1.25x. Also the engine's per-call overhead, from the plugin's
# submit (time.time() before CreateJob) to the call's process start (the worker's first
# command writes `date +%s.%N` to the call's `started` file), p50 and p90 over every call of
# every round: target p50 < 100 ms; and where the runner's time goes (its fixed start cost).
# Usage: bench/workflow.sh   (ROUNDS=N for more rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_workflow_venv
need_apt bc
rounds="${ROUNDS:-3}"
for p in bcctl bcplan bcapply bcops-keeper; do swift build -c release --product "$p" >&2; done
py="$PWD/.build-venv/bin/python"
"$py" -c 'import miniwdl_backend_bare' 2> /dev/null \
  || .build-venv/bin/pip install --quiet "miniwdl-backend-bare==0.0.1" >&2
source bench/lib.sh
start_engine

watcher_pid=""
cleanup() {
  set +e
  [ -n "$watcher_pid" ] && kill "$watcher_pid" 2> /dev/null
  stop_engine_and_leftovers
}
trap cleanup EXIT
trap 'exit 130' INT TERM

example=examples/germline-small
work="$ENGINE_DATA/bench-workflow"
estate="$work/estate"
outputs_dir=oss://bench-workflow/outputs/
mkdir -p "$estate/.bcops" "$estate/src" "$work/peer"
cp "$example/src/germline-small.wdl" "$example/src/germline-small.inputs.json" "$estate/src/"
echo "workspace: bench-workflow" > "$estate/.bcops/settings.yaml"
# The example's WorkflowRun germline-small, with callCaching off and a rerun token.
write_run() {
  cat > "$estate/run.yaml" << EOF
apiVersion: bcops.io/v1
kind: WorkflowRun
metadata:
  name: bench-germline
spec:
  workflow: src/germline-small.wdl
  inputsFile: src/germline-small.inputs.json
  options:
    use_relative_output_paths: true
  runtime:
    cluster: OnDemand ecs.sn1.medium img-ubuntu-vpc
  callCaching: false
  workingDir: oss://bench-workflow/work/
  outputsDir: $outputs_dir
  runner:
    instanceType: ecs.sn1.medium
    timeout: 600
  tag: bench
  rerun: $1
EOF
}

calls="$work/calls.tsv" peer_calls="$work/peer-calls.tsv"
coproc WATCHER { exec "$py" -u bench/workflow.py watch "$calls" "$outputs_dir" 2>&1; }
watcher_pid=$WATCHER_PID
watcher_in=${WATCHER[1]} watcher_out=${WATCHER[0]}
read -r line <&"$watcher_out"
[ "$line" = ready ] || { echo "error: the SDK watcher did not start: $line" >&2; exit 1; }

# bcops: bcapply with a new rerun token, then the watcher's answer. Sets `result` to the
# watcher's times after bcapply's start (END first: the measurement).
bcops_run() {  # TOKEN ROUND
  local t0 id line
  write_run "$1"
  t0=$EPOCHREALTIME
  "$BIN/bcapply" "$estate" -auto-approve -no-color > "$work/apply.log" 2>&1 || { cat "$work/apply.log" >&2; return 1; }
  id=$(sed -n 's/^WorkflowRun\/bench-germline: Submitted.*\[id=\(job-[^]]*\)\].*/\1/p' "$work/apply.log")
  [ -n "$id" ] || { cat "$work/apply.log" >&2; echo "error: bcapply submitted no run" >&2; return 1; }
  echo "$id $t0 $2" >&"$watcher_in"
  read -r line <&"$watcher_out"
  set -- $line
  if [ "$1" != Finished ] || [ "${12}" != 6 ]; then
    "$BIN/bcctl" workflow status bench-germline >&2 || true
    "$BIN/bcctl" logs bench-germline --stream stderr 2> /dev/null | tail -20 >&2 || true
    echo "error: run $id ($2): $line" >&2; return 1
  fi
  shift; result="$*"
}

# Plain miniwdl: the bare backend, and none of bcops' plugins (they are in the same venv).
peer_env=(MINIWDL__SCHEDULER__CONTAINER_BACKEND=bare
          MINIWDL__PLUGINS__DISABLE_PATTERNS='["bcops_miniwdl.*", "miniwdl_task_omnibus_example:*"]')
enabled=$(env "${peer_env[@]}" "$py" -c '
import logging, WDL.runtime.config as c
cfg = c.Loader(logging.getLogger("check"))
groups = ("task", "workflow", "file_download", "directory_download", "container_backend", "cache_backend")
print(" ".join(sorted(p.value for g in groups for on, p in c.load_all_plugins(cfg, g) if on)))')
[[ "$enabled" != *bcops_miniwdl* && "$enabled" == *miniwdl_backend_bare:BareContainer* ]] \
  || { echo "error: plain miniwdl's plugins are not miniwdl's and bare's alone: $enabled" >&2; exit 1; }

# plain miniwdl: sets `result` to "SECONDS WF_START FIRST_CALL WF_DONE" after the command's start.
peer_run() {  # NAME ROUND
  local dir="$work/peer/$1" t0 t1 phases
  t0=$EPOCHREALTIME
  env "${peer_env[@]}" .build-venv/bin/miniwdl run "$example/src/germline-small.wdl" -i "$example/src/germline-small.inputs.json" \
      --dir "$dir/" --no-cache > "$dir.json" 2> "$dir.log" || { tail -20 "$dir.log" >&2; echo "error: miniwdl run failed" >&2; return 1; }
  t1=$EPOCHREALTIME
  phases=$("$py" bench/workflow.py peer "$(readlink -f "$dir/_LAST")" "$t0" "$peer_calls" "$2")
  [ "${phases##* }" = 6 ] || { echo "error: miniwdl's run did not call the 6 variants: $phases" >&2; return 1; }
  result="$(echo "$t1 - $t0" | bc -l) ${phases% *}"
}

echo "==> warm-up: one run each (page cache, .pyc files, the bcops-workflow workspace)" >&2
peer_run warmup 0
bcops_run warmup 0
: > "$calls"; : > "$peer_calls"

min() { echo "if ($1 < $2) $1 else $2" | bc -l; }
best_bcops=999 best_peer=999 bcops_phases=() peer_phases=()
for r in $(seq "$rounds"); do
  bcops_run "round-$r-$$" "$r"; bcops_phases+=("$result")
  b=${result%% *}
  peer_run "round-$r" "$r"; peer_phases+=("$result")
  m=${result%% *}
  printf '    round %d: bcops %.3f s, miniwdl %.3f s\n' "$r" "$b" "$m" >&2
  best_bcops=$(min "$best_bcops" "$b") best_peer=$(min "$best_peer" "$m")
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { local f=$1; shift; median $(printf '%s\n' "$@" | awk -v f="$f" '{ print $f }'); }
ms() { printf '%.0f' "$(echo "($1) * 1000" | bc -l)"; }
# Medians over the rounds of the times after the start (bcapply's, miniwdl's). bcops: 1 END,
# 2 CREATED, 3 RUNNER_START, 4 PY_START, 5 WF_START, 6 FIRST_SUBMIT, 7 FIRST_PROCESS,
# 8 LAST_CALL_END, 9 WF_DONE, 10 MD_END; miniwdl: 1 END, 2 WF_START, 3 FIRST_CALL, 4 WF_DONE.
for f in 1 2 3 4 5 6 7 8 9 10; do b[$f]=$(field "$f" "${bcops_phases[@]}"); done
for f in 1 2 3 4; do m[$f]=$(field "$f" "${peer_phases[@]}"); done
stat() { "$py" bench/workflow.py stats "$1" | awk -v k="$2" '$1 == k { $1 = ""; print }'; }
read -r n o50 o90 omax <<< "$(stat "$calls" overhead)"
read -r _ s50 s90 _ <<< "$(stat "$calls" submit_to_created)"
read -r _ c50 c90 _ <<< "$(stat "$calls" created_to_instance)"
read -r _ i50 i90 _ <<< "$(stat "$calls" instance_to_process)"
p50() { stat "$1" "$2" | awk '{ print $2 }'; }
echo
echo "workflow: $example (germline_small: 8 calls, a scatter of 2); $(nproc) cores; best of $rounds, taking turns"
printf 'bcops, WorkflowRun (bcapply -> runner job ended):  %.3f s\n' "$best_bcops"
printf 'miniwdl run, bare backend (--no-cache):            %.3f s\n' "$best_peer"
printf 'ratio bcops / miniwdl: %.2fx (target <= 1.25x)\n' "$(echo "$best_bcops / $best_peer" | bc -l)"
printf 'per-call overhead, plugin submit -> process start, %d calls: p50 %.1f ms, p90 %.1f ms, max %.1f ms (target p50 < 100 ms)\n' "$n" "$o50" "$o90" "$omax"
printf '  submit -> job created p50 %.1f / p90 %.1f ms; job created -> instance started %.1f / %.1f ms; instance started -> worker running %.1f / %.1f ms\n' \
  "$s50" "$s90" "$c50" "$c90" "$i50" "$i90"
printf 'runner fixed start cost, runner instance started -> first call submitted: %s ms (median)\n' "$(ms "${b[6]} - ${b[3]}")"
echo "where the time goes, medians of $rounds rounds (ms):       bcops  miniwdl"
printf '  start (bcapply / miniwdl run) -> miniwdl workflow start %6d %6d\n' "$(ms "${b[5]}")" "$(ms "${m[2]}")"
printf '  -> first call process started                          %+6d %+6d\n' "$(ms "${b[7]} - ${b[5]}")" "$(ms "${m[3]} - ${m[2]}")"
printf '  -> miniwdl workflow done (the calls)                   %+6d %+6d\n' "$(ms "${b[9]} - ${b[7]}")" "$(ms "${m[4]} - ${m[3]}")"
printf '  -> end (runner job ended / miniwdl exited)             %+6d %+6d\n' "$(ms "${b[1]} - ${b[9]}")" "$(ms "${m[1]} - ${m[4]}")"
printf '  bcops: bcapply -> runner job created %s, -> runner started %+d, -> python runner main() %+d, -> workflow start %+d, -> first call submitted %+d\n' \
  "$(ms "${b[2]}")" "$(ms "${b[3]} - ${b[2]}")" "$(ms "${b[4]} - ${b[3]}")" "$(ms "${b[5]} - ${b[4]}")" "$(ms "${b[6]} - ${b[5]}")"
printf 'per call, medians over every call (ms): miniwdl task setup -> done: bcops %s, miniwdl %s\n' "$(p50 "$calls" setup_to_done)" "$(p50 "$peer_calls" setup_to_done)"
printf '  bcops: setup -> submit %s, -> process start %s (the overhead above), process %s, process end -> plugin sees the job ended %s, -> done %s\n' \
  "$(p50 "$calls" setup_to_submit)" "$(p50 "$calls" overhead)" "$(p50 "$calls" process)" "$(p50 "$calls" process_end_to_noticed)" "$(p50 "$calls" noticed_to_done)"
printf '  miniwdl: setup -> process spawned %s, -> done %s\n' "$(p50 "$peer_calls" setup_to_spawn)" "$(p50 "$peer_calls" spawn_to_done)"
printf '  bcops: last call job ended -> workflow done %+d, -> runner metadata end %+d, -> runner job ended %+d\n' \
  "$(ms "${b[9]} - ${b[8]}")" "$(ms "${b[10]} - ${b[9]}")" "$(ms "${b[1]} - ${b[10]}")"

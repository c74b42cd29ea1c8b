#!/usr/bin/env bash
# Render farm: 16 frames of the render-farm example's scene (64×48 Cycles, 4 samples) on 2
# nodes through bcops — bcapply of a RenderJob (bench/render/) to the job being Finished —
# against the same two Blender command lines run by hand in parallel (`&` + `wait`), in the
# same run; and the same 16 frames as one chunk on 1 node against its one command line.
# The by-hand command lines are the nodes' own, printed by `bcctl render node --dry-run`.
# Three runs of each, interleaved; medians. Target: bcops / by hand <= 1.15x.
#
# The bcops time ends at the job's EndTime as the engine records it (after the frames and
# logs are uploaded), read through the official SDK by one watcher process started before
# the first run, polling every 50 ms: no bcctl process per poll competes with Blender for
# the 2 cores. Usage: bench/render.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_sdk_venv
need_apt bc
runs="${1:-3}"
for p in bcctl bcops-keeper bcapply; do swift build -c release --product "$p" >&2; done
bin=.build/release
command -v blender > /dev/null || { echo "error: blender is not on PATH" >&2; exit 1; }
source bench/lib.sh
start_engine

watcher_pid="" peer_pids=()
cleanup() {
  set +e
  [ -n "$watcher_pid" ] && kill "$watcher_pid" 2> /dev/null
  for p in "${peer_pids[@]}"; do kill "$p" 2> /dev/null; done
  stop_engine_and_leftovers
}
trap cleanup EXIT
trap 'exit 130' INT TERM

work="$ENGINE_DATA/bench-render"
estate="$work/estate"
mkdir -p "$estate" "$work/peer"
echo "==> scene: examples/render-farm/scene/make_scene.py -> oss://render-farm/scenes/cube.blend" >&2
blender -b --factory-startup --python-exit-code 1 --python examples/render-farm/scene/make_scene.py -- "$work/cube.blend" \
  > "$work/make_scene.log" 2>&1 || { tail -20 "$work/make_scene.log" >&2; exit 1; }
"$bin/bcctl" oss cp "$work/cube.blend" oss://render-farm/scenes/cube.blend > /dev/null
cp bench/render/cluster.yaml bench/render/project.yaml "$estate/"

# The watcher (a coprocess): reads a job ID per line, polls the job every 50 ms until it
# ends (at most 300 s), and prints its state and the engine's times in epoch seconds: job
# created, first node started, job ended.
watcher='
import calendar, sys, time
from batchcompute import Client
port, key_id, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
Client.register_region("local", "127.0.0.1", port)
client = Client("127.0.0.1", key_id, secret)
def epoch(t): return calendar.timegm(t.utctimetuple()) + t.microsecond / 1e6
print("ready")
for line in sys.stdin:
    job, deadline = line.strip(), time.time() + 300
    while True:
        j = client.get_job(job)
        if j.State in ("Finished", "Failed", "Stopped") or time.time() > deadline:
            break
        time.sleep(0.05)
    if j.State != "Finished":
        print(j.State, j.Message or "(no message)")
        continue
    starts = [epoch(n.StartTime) for n in client.list_instances(job, "app", "", 100).Items]
    print(j.State, "%.6f" % epoch(j.CreationTime), "%.6f" % min(starts), "%.6f" % epoch(j.EndTime))
'
coproc WATCHER { exec "$BCOPS_SDK_PYTHON" -u -c "$watcher" "$ENGINE_PORT" "$ENGINE_ID" "$ENGINE_SECRET" 2>&1; }
watcher_pid=$WATCHER_PID
watcher_in=${WATCHER[1]} watcher_out=${WATCHER[0]}
read -r line <&"$watcher_out"
[ "$line" = ready ] || { echo "error: the SDK watcher did not start: $line" >&2; exit 1; }

tokens=(warmup warmup)  # rerun tokens of the 2-node and the 1-chunk job
jobs=(bench-render-2nodes bench-render-1chunk)
write_jobs() { sed -e "s/RERUN_2NODES/${tokens[0]}/" -e "s/RERUN_1CHUNK/${tokens[1]}/" bench/render/jobs.yaml > "$estate/jobs.yaml"; }

# bcops: bcapply with rerun token $2 for job $1 (0: 2 nodes, 1: 1 chunk), then wait for it.
# Sets `result` to the seconds from bcapply's start to: the job's creation, its first node's
# start, the job's end (the measurement).
bcops_run() {
  local k=$1 t0 line id
  tokens[$k]="$2"
  write_jobs
  touch "$work/started.${jobs[$k]}"
  t0=$EPOCHREALTIME
  "$bin/bcapply" "$estate" -auto-approve -no-color > "$work/apply.log" 2>&1 || { cat "$work/apply.log" >&2; return 1; }
  id=$(sed -n "s/^RenderJob\/${jobs[$k]}: Submitted.*\[id=\(job-[^]]*\)\].*/\1/p" "$work/apply.log")
  [ -n "$id" ] || { cat "$work/apply.log" >&2; echo "error: bcapply submitted no ${jobs[$k]}" >&2; return 1; }
  echo "$id" >&"$watcher_in"
  read -r line <&"$watcher_out"
  set -- $line
  [ "$1" = Finished ] || { "$bin/bcctl" render status "$id" >&2 || true; echo "error: ${jobs[$k]} ($id) ended $line" >&2; return 1; }
  result=$(echo "$2 - $t0; $3 - $t0; $4 - $t0" | bc -l | paste -sd' ')
}

# The nodes' command lines, as `bcctl render node` would run them, with the scene and the
# output directory on this host instead of the node's mounts.
node_line() {  # NODE NODES
  "$bin/bcctl" render node --dry-run --scene "$work/cube.blend" --frames 1-16 --node "$1" --nodes "$2" \
    --output-dir "$work/peer/" | sed -n 's/^exec: //p'
}
peer2=("$(node_line 0 2)" "$(node_line 1 2)")
peer1=("$(node_line 0 1)")

# By hand: the command lines at once in the background, then wait; sets `result` to the seconds.
peer_run() {
  local t0 t1 i=0
  rm -rf "$work/peer"; mkdir -p "$work/peer"
  peer_pids=()
  t0=$EPOCHREALTIME
  for line in "$@"; do
    (eval "exec $line") > "$work/peer/log.$i" 2>&1 &
    peer_pids+=($!); i=$((i + 1))
  done
  for p in "${peer_pids[@]}"; do wait "$p" || { cat "$work/peer/log".* >&2; echo "error: blender failed" >&2; return 1; }; done
  t1=$EPOCHREALTIME
  peer_pids=()
  [ "$(ls "$work/peer" | grep -c '\.png$')" -eq 16 ] || { echo "error: the by-hand run did not write 16 PNGs" >&2; return 1; }
  result=$(echo "$t1 - $t0" | bc -l)
}

echo "==> warm-up: bcapply of bench/render (Cluster, RenderProject, both RenderJobs)" >&2
write_jobs
"$bin/bcapply" "$estate" -auto-approve -no-color > "$work/apply.log" 2>&1 || { cat "$work/apply.log" >&2; exit 1; }
for job in "${jobs[@]}"; do
  id=$(sed -n "s/^RenderJob\/$job: Submitted.*\[id=\(job-[^]]*\)\].*/\1/p" "$work/apply.log")
  echo "$id" >&"$watcher_in"; read -r line <&"$watcher_out"
  [ "${line%% *}" = Finished ] || { "$bin/bcctl" render status "$id" >&2 || true; echo "error: warm-up $job ended: $line" >&2; exit 1; }
done
peer_run "${peer1[@]}"

b2=() h2=() b1=() h1=() p2=() p1=()
for r in $(seq "$runs"); do
  echo "==> run $r of $runs" >&2
  bcops_run 0 "run-$r"; p2+=("$result"); b2+=("${result##* }")
  peer_run "${peer2[@]}"; h2+=("$result")
  bcops_run 1 "run-$r"; p1+=("$result"); b1+=("${result##* }")
  peer_run "${peer1[@]}"; h1+=("$result")
  printf '    2 nodes: bcops %.3f s, by hand %.3f s; 1 chunk: bcops %.3f s, by hand %.3f s\n' "${b2[-1]}" "${h2[-1]}" "${b1[-1]}" "${h1[-1]}" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Median of field $1 (1-3) of the phase records.
phase() { local f=$1; shift; median $(printf '%s\n' "$@" | awk -v f="$f" '{ print $f }'); }
phases() {  # where bcops' time went (medians, from the engine's records)
  local c s f
  c=$(phase 1 "$@"); s=$(phase 2 "$@"); f=$(phase 3 "$@")
  printf 'bcapply until the job exists %.3f s, until its first node starts +%.3f s, nodes running +%.3f s' \
    "$c" "$(echo "$s - $c" | bc -l)" "$(echo "$f - $s" | bc -l)"
}
mb2=$(median "${b2[@]}") mh2=$(median "${h2[@]}") mb1=$(median "${b1[@]}") mh1=$(median "${h1[@]}")

echo
echo "scene: 64x48 Cycles, 4 samples, frames 1-16; $(nproc) cores; medians of $runs runs, interleaved"
printf '  node 0 of 2: %s\n  node 1 of 2: %s\n  1 chunk:     %s\n' "${peer2[0]}" "${peer2[1]}" "${peer1[0]}"
printf 'bcops, 16 frames on 2 nodes (bcapply -> Finished): %.3f s\n' "$mb2"
printf 'by hand, the 2 node command lines in parallel:     %.3f s\n' "$mh2"
printf 'bcops, 16 frames as 1 chunk on 1 node:             %.3f s\n' "$mb1"
printf 'by hand, the 1 chunk command line:                 %.3f s\n' "$mh1"
printf 'ratio bcops / by hand, 2 nodes: %.2fx (target <= 1.15x)\n' "$(echo "$mb2 / $mh2" | bc -l)"
printf 'ratio bcops / by hand, 1 chunk: %.2fx (target <= 1.15x)\n' "$(echo "$mb1 / $mh1" | bc -l)"
printf '2 nodes vs 1 chunk, bcops:   %.2fx (below 1: splitting pays)\n' "$(echo "$mb2 / $mb1" | bc -l)"
printf '2 nodes vs 1 chunk, by hand: %.2fx\n' "$(echo "$mh2 / $mh1" | bc -l)"
echo "bcops 2 nodes: $(phases "${p2[@]}")"
echo "bcops 1 chunk: $(phases "${p1[@]}")"

# The frames of each job's last run are in OSS: 16 PNGs listed, all written during that run
# (the store keeps oss://bucket/key at DATA/oss/bucket/key), and render status agrees.
for job in "${jobs[@]}"; do
  pngs=$("$bin/bcctl" oss ls "oss://render-farm/output/$job/" | grep -c '/[0-9]\{4\}\.png$' || true)
  fresh=$(find "$ENGINE_DATA/oss/render-farm/output/$job" -name '*.png' -newer "$work/started.$job" | wc -l)
  done_frames=$("$bin/bcctl" render status "$job" -json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["state"], s["framesDone"], s["framesTotal"])')
  echo "check: $pngs PNGs in oss://render-farm/output/$job/ ($fresh from the last run), render status: $done_frames"
  [ "$pngs" -eq 16 ] && [ "$fresh" -eq 16 ] && [ "$done_frames" = "Finished 16 16" ] || { echo "error: $job did not render 16 frames into OSS" >&2; exit 1; }
done

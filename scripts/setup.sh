#!/usr/bin/env bash
# The main job on the embedded default: install what is missing (Blender, miniwdl and the
# genomics tools included), build bcops, validate every example, then start the embedded engine
# and run the render farm of examples/render-farm end to end: build the tiny scene with
# Blender, upload it, plan, apply, render the animation on the farm's nodes (real Blender),
# re-plan (already rendered), and print the plan summary, the per-node frame split, the time
# taken and where the frames are. Then the WDL workflow of examples/germline-small (bwa,
# samtools, bcftools through miniwdl, one engine job per call) and its report run.
# The engine's state is kept in .bcops/ (rerunning renders nothing new).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
install_dependencies
need_apt blender
need_workflow_venv  # the engine's cromwell App runs WDL with miniwdl and bcops' backend

echo "==> swift build" >&2
for product in bcplan bcapply bcctl bcops-keeper; do swift build --product "$product" >&2; done
bin="$(swift build --show-bin-path)"

echo "==> bcplan validate examples"
"$bin/bcplan" validate examples

export BCOPS_DATA="$PWD/.bcops/engine"
export BCOPS_ENDPOINT="" BCOPS_ACCESS_KEY_ID="" BCOPS_ACCESS_KEY_SECRET=""
mkdir -p "$BCOPS_DATA"
echo
echo "==> bcctl engine serve --data .bcops/engine"
rm -f "$BCOPS_DATA/endpoint"
"$bin/bcctl" engine serve --data "$BCOPS_DATA" --listen 127.0.0.1:0 > "$BCOPS_DATA/engine.log" 2>&1 &
engine=$!
trap 'kill $engine 2>/dev/null || true; wait $engine 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$BCOPS_DATA/endpoint" ] && break; sleep 0.1; done
[ -s "$BCOPS_DATA/endpoint" ] || { cat "$BCOPS_DATA/engine.log" >&2; echo "the engine did not start" >&2; exit 1; }
head -2 "$BCOPS_DATA/engine.log"

echo
echo "==> the scene: examples/render-farm/scene/make_scene.py -> oss://render-farm/scenes/cube.blend"
blender -b --factory-startup --python-exit-code 1 --python examples/render-farm/scene/make_scene.py -- \
  "$BCOPS_DATA/cube.blend" > "$BCOPS_DATA/make_scene.log" 2>&1 || { cat "$BCOPS_DATA/make_scene.log" >&2; exit 1; }
"$bin/bcctl" oss cp "$BCOPS_DATA/cube.blend" oss://render-farm/scenes/cube.blend

echo
echo "==> bcplan examples/render-farm -workspace render-farm -out .bcops/engine/render-farm.plan"
code=0
"$bin/bcplan" examples/render-farm -workspace render-farm -detailed-exitcode -no-color -out "$BCOPS_DATA/render-farm.plan" > "$BCOPS_DATA/plan.txt" || code=$?
grep -E '^  # |^Plan:|^No changes|already rendered' "$BCOPS_DATA/plan.txt" || true
[ "$code" -ne 1 ] || { cat "$BCOPS_DATA/plan.txt"; exit 1; }
summary=$(grep -E '^Plan:|^No changes' "$BCOPS_DATA/plan.txt" | tail -1)

echo
echo "==> bcapply .bcops/engine/render-farm.plan"
started=$(date +%s.%N)
"$bin/bcapply" "$BCOPS_DATA/render-farm.plan"

jobs="render-farm-cube render-farm-cube-chunks"
status_json() { "$bin/bcctl" render status "$1" -json; }
echo
echo "==> rendering"
for job in $jobs; do
  for _ in $(seq 900); do
    line=$(status_json "$job" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["state"], "%d/%d frames" % (o["framesDone"], o["framesTotal"]))')
    printf '\r  %-26s %-30s' "$job" "$line"
    case "$line" in Finished*|Failed*|Stopped*) break ;; esac
    sleep 0.2
  done
  echo
done
finished=$(date +%s.%N)

echo
for job in $jobs; do
  "$bin/bcctl" render status "$job" || { echo "RenderJob/$job did not render" >&2; exit 1; }
  echo
done

echo "==> bcplan examples/render-farm -workspace render-farm -detailed-exitcode   (exit 0: nothing left to do)"
"$bin/bcplan" examples/render-farm -workspace render-farm -detailed-exitcode -no-color | grep -E 'already rendered|^No changes'

echo
echo "Plan:   ${summary#Plan: }"
echo "Split:  (framer.py's split over nodes, or one instance per chunk with framesPerTask)"
for job in $jobs; do
  status_json "$job" | python3 -c '
import json, sys
o = json.load(sys.stdin)
def ranges(frames):
    out, i = [], 0
    while i < len(frames):
        j = i
        while j + 1 < len(frames) and frames[j + 1] == frames[j] + 1: j += 1
        out.append(str(frames[i]) if i == j else "%d-%d" % (frames[i], frames[j])); i = j + 1
    return ",".join(out) or "nothing to do"
print("  %-24s %-7s %s" % (o["name"], o["frames"], " | ".join("node %d: %s" % (n["node"], ranges(n["frames"])) for n in o["nodes"])))
print("  %-24s %-7s rendered in %.1f s on the engine, %d/%d frames" % ("", "", o["elapsedSeconds"] or 0, o["framesDone"], o["framesTotal"]))'
done
if [ "$summary" != "No changes. Your infrastructure matches the configuration." ]; then
  python3 -c "print('Time:   %.1f s from bcapply to the last frame' % ($finished - $started))"
else
  echo "Time:   nothing to render this time (already rendered; the times above are from the first run)"
fi
echo "Frames: oss://render-farm/output/render-farm-cube/ and oss://render-farm/output/render-farm-cube-chunks/"
echo "        on disk under $BCOPS_DATA/oss/render-farm/output/:"
for job in $jobs; do echo "        $job/: $(ls "$BCOPS_DATA/oss/render-farm/output/$job/" | tr '\n' ' ')"; done

echo
echo "==> bcapply examples/germline-small   (WDL on miniwdl: the engine's cromwell App, one job per call)"
wf_started=$(date +%s.%N)
"$bin/bcapply" examples/germline-small -auto-approve -no-color | grep -E '^WorkflowRun|^Apply|^No changes'
for run in germline-small germline-small-report; do
  for _ in $(seq 600); do
    state=$("$bin/bcctl" job "$run" -json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    case "$state" in Finished|Failed|Stopped) break ;; esac
    sleep 0.2
  done
  [ "$state" = Finished ] || { "$bin/bcctl" workflow status "$run" >&2 || true; "$bin/bcctl" logs "$run" >&2 || true; echo "WorkflowRun/$run: $state" >&2; exit 1; }
done
wf_finished=$(date +%s.%N)
"$bin/bcctl" workflow status germline-small
echo
"$bin/bcctl" oss cat oss://germline/report/report.txt
python3 -c "print('Time:   %.1f s from bcapply to the report (nothing runs again once it has succeeded)' % ($wf_finished - $wf_started))"

echo
echo "Done. Binaries: $bin/bcplan $bin/bcapply $bin/bcctl"
echo "Engine state: .bcops/engine (start it again with: $bin/bcctl engine serve --data .bcops/engine)"

#!/usr/bin/env bash
# Runs every fixture of this directory under plain miniwdl with the bare backend (no
# containers, no bcops) and checks what README.md says about it. Not part of `swift test`.
#
#   MINIWDL=/tmp/mwe/bin/miniwdl Tests/Fixtures/workflows/check-with-miniwdl.sh
#   QUICK=1 …   skips slow.wdl (30 s)
#
# Needs miniwdl 1.16 and miniwdl-backend-bare 0.0.1:
#   python3 -m venv /tmp/mwe && /tmp/mwe/bin/pip install "miniwdl==1.16.*" "miniwdl-backend-bare==0.0.1"
set -u
here=$(cd "$(dirname "$0")" && pwd)
miniwdl=${MINIWDL:-miniwdl}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export MINIWDL__SCHEDULER__CONTAINER_BACKEND=bare
cfg_nocache=(--no-cache)
cat > "$scratch/cache.cfg" <<EOF
[scheduler]
container_backend = bare
[call_cache]
put = true
get = true
dir = $scratch/cache
EOF
failures=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; failures=$((failures + 1)); }
# run NAME ARGS… : miniwdl run in $scratch/NAME, stdout to NAME.json, stderr to NAME.log; sets rc
run() {
    local name=$1; shift
    (cd "$here" && "$miniwdl" run "$@" --dir "$scratch/$name/" > "$scratch/$name.json" 2> "$scratch/$name.log")
    rc=$?
}
# out NAME KEY : an output of run NAME, as JSON
out() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["outputs"][sys.argv[2]]))' "$scratch/$1.json" "$2" 2>/dev/null; }

run echo echo.wdl -i echo.inputs.json "${cfg_nocache[@]}"
[ $rc -eq 0 ] && [ "$(cat "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["outputs"]["wf_echo.output1"])' "$scratch/echo.json")")" = "hello from echo1" ] \
    && [ -d "$scratch/echo/_LAST/call-echo1" ] && [ -d "$scratch/echo/_LAST/call-echo2" ] \
    && ok "echo.wdl: call-echo1/output1, call-echo2/output2" || bad "echo.wdl (rc $rc)"

run globber globber.wdl "${cfg_nocache[@]}"
[ $rc -eq 0 ] && [ "$(out globber test.globber.outFiles)" = "[]" ] \
    && [ "$(head -1 "$scratch/globber/_LAST/call-globber/stdout.txt")" = "globbing is my number 1 best hobby out-1/1.txt" ] \
    && ok "globber.wdl (the seed's, no redirect): outFiles = [], five lines on stdout" || bad "globber.wdl (rc $rc)"

run globber-redirect globber-redirect.wdl "${cfg_nocache[@]}"
[ $rc -eq 0 ] && [ "$(out globber-redirect test.globber.outFiles | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 5 ] \
    && ok "globber-redirect.wdl: outFiles has 5 files" || bad "globber-redirect.wdl (rc $rc)"

run scatter scatter.wdl "${cfg_nocache[@]}"
[ $rc -eq 0 ] && [ "$(out scatter scatter_gather.count)" = 3 ] \
    && ok "scatter.wdl: 3 shards, count = 3" || bad "scatter.wdl (rc $rc)"

run three-step three-step.wdl --cfg "$scratch/cache.cfg"
[ $rc -eq 1 ] && grep -qx 'step3: ERROR: no line starting with "step 2" in step2.txt' "$scratch/three-step/_LAST/call-step3/stderr.txt" \
    && ok "three-step.wdl: step3 exits 1 with its stderr line" || bad "three-step.wdl (rc $rc)"
run three-step-fixed three-step-fixed.wdl --cfg "$scratch/cache.cfg"
hits=$(grep -c "call cache hit" "$scratch/three-step-fixed.log")
[ $rc -eq 0 ] && [ "$(out three-step-fixed three_step.lines)" = 3 ] && [ "$hits" = 2 ] \
    && grep -q "call-step1 NOTICE done (cached)" "$scratch/three-step-fixed.log" \
    && grep -q "call-step2 NOTICE done (cached)" "$scratch/three-step-fixed.log" \
    && ! grep -q "call-step3 NOTICE done (cached)" "$scratch/three-step-fixed.log" \
    && ok "three-step-fixed.wdl after three-step.wdl: step1, step2 cache hits, step3 runs, lines = 3" \
    || bad "three-step-fixed.wdl (rc $rc, $hits hits)"

if [ -z "${QUICK:-}" ]; then
    start=$(date +%s)
    run slow slow.wdl "${cfg_nocache[@]}"
    took=$(( $(date +%s) - start ))
    [ $rc -eq 0 ] && [ $took -ge 30 ] && grep -q 'ignored runtime settings :: keys: \["cluster", "timeout"\]' "$scratch/slow.log" \
        && ok "slow.wdl: plain miniwdl ignores timeout: 2 and succeeds after ${took} s" || bad "slow.wdl (rc $rc, ${took} s)"
fi

run missing-bad missing-inputs.wdl -i missing-inputs.bad.inputs.json "${cfg_nocache[@]}"
[ $rc -eq 2 ] && grep -q "couldn't construct 'Int' from \"forty\" (in missing_inputs.min_length)" "$scratch/missing-bad.log" \
    && ok "missing-inputs.bad.inputs.json: miniwdl stops at the first problem (the wrong type)" || bad "missing-inputs bad (rc $rc)"
run missing-none missing-inputs.wdl "${cfg_nocache[@]}"
[ $rc -eq 2 ] && grep -q "missing required inputs for missing_inputs: reads, min_length" "$scratch/missing-none.log" \
    && ok "missing-inputs.wdl without inputs: missing reads, min_length" || bad "missing-inputs none (rc $rc)"
run missing-good missing-inputs.wdl -i missing-inputs.good.inputs.json "${cfg_nocache[@]}"
[ $rc -eq 0 ] && [ "$(out missing-good missing_inputs.n_long)" = 2 ] \
    && ok "missing-inputs.good.inputs.json: n_long = 2" || bad "missing-inputs good (rc $rc)"

(cd "$here" && "$miniwdl" check typo-runtime.wdl > "$scratch/typo-check.txt" 2>&1)
run typo typo-runtime.wdl "${cfg_nocache[@]}"
[ $rc -eq 0 ] && grep -q "UnknownRuntimeKey, unknown entry in task runtime section: clustr" "$scratch/typo-check.txt" \
    && ! grep -q "section: memory" "$scratch/typo-check.txt" \
    && [ "$(out typo typo_runtime.greeting)" = '"hello from typo_runtime"' ] \
    && ok "typo-runtime.wdl: miniwdl check flags clustr (not memory); the run succeeds" || bad "typo-runtime.wdl (rc $rc)"

[ $failures -eq 0 ] && echo "all fixtures behave as README.md says" || echo "$failures fixture(s) differ"
exit $((failures > 0))

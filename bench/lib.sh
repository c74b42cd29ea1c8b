# Shared by the engine benchmarks: start a release engine on a free loopback port.
# BCOPS_BIN=/dir runs the binaries of another build (bcctl, bcops-keeper, bcbench, bcplan,
# bcapply), e.g. the previous commit's, for before/after figures (bench/compare.sh).
BIN="${BCOPS_BIN:-.build/release}"
# Sets ENGINE_PID, ENGINE_PORT, ENGINE_DATA, ENGINE_ID, ENGINE_SECRET and exports the
# BCOPS_* variables bcplan and bcapply read; stops it on exit. ENGINE_ARGS: more arguments for
# `bcctl engine serve` (e.g. "--executor gridengine").
start_engine() {
  ENGINE_DATA="${1:-$(mktemp -d)}"
  local log="$ENGINE_DATA/engine.log"
  # shellcheck disable=SC2086 # ENGINE_ARGS is words
  "$BIN/bcctl" engine serve --data "$ENGINE_DATA" --listen 127.0.0.1:0 ${ENGINE_ARGS:-} > "$log" 2>&1 &
  ENGINE_PID=$!
  trap 'kill $ENGINE_PID 2>/dev/null; rm -rf "$ENGINE_DATA"' EXIT
  for _ in $(seq 100); do grep -q "engine listening on http" "$log" && break; sleep 0.1; done
  ENGINE_PORT=$(sed -n 's/.*engine listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)
  ENGINE_ID=$(python3 -c "import json;print(json.load(open('$ENGINE_DATA/credentials.json'))['AccessKeyId'])")
  ENGINE_SECRET=$(python3 -c "import json;print(json.load(open('$ENGINE_DATA/credentials.json'))['AccessKeySecret'])")
  export BCOPS_ENDPOINT="http://127.0.0.1:$ENGINE_PORT" BCOPS_ACCESS_KEY_ID="$ENGINE_ID" BCOPS_ACCESS_KEY_SECRET="$ENGINE_SECRET" BCOPS_DATA="$ENGINE_DATA"
}

# Stops the engine and any process it left (a runner, a call, a render node still going after
# an early exit: the engine marks its instances' processes with its data directory), then
# removes its data.
stop_engine_and_leftovers() {
  kill "$ENGINE_PID" 2> /dev/null
  wait "$ENGINE_PID" 2> /dev/null
  for f in /proc/[0-9]*/environ; do
    if tr '\0' '\n' 2> /dev/null < "$f" | grep -qxF "BCOPS_ENGINE_DATA=$ENGINE_DATA"; then
      p="${f#/proc/}"; kill -9 "${p%/environ}" 2> /dev/null
    fi
  done
  rm -rf "$ENGINE_DATA"
}

#!/usr/bin/env bash
# The main job on the embedded default: install what is missing, build bcops, validate
# every example, then start the embedded engine and apply examples/quickstart end to end —
# plan, apply, wait for the job, re-plan (no changes), and print the job's output from the
# engine's object store. The engine's state is kept in .bcops/ (rerunning changes nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
install_dependencies

echo "==> swift build" >&2
for product in bcplan bcapply bcctl; do swift build --product "$product" >&2; done
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
echo "==> the job's package: examples/quickstart/worker -> oss://quickstart/package/worker.tar.gz"
tar -czf "$BCOPS_DATA/worker.tar.gz" -C examples/quickstart/worker .
"$bin/bcctl" oss cp "$BCOPS_DATA/worker.tar.gz" oss://quickstart/package/worker.tar.gz

echo
echo "==> bcplan examples/quickstart"
code=0
"$bin/bcplan" examples/quickstart -detailed-exitcode || code=$?
[ "$code" -ne 1 ] || exit 1

echo
echo "==> bcapply examples/quickstart -auto-approve"
"$bin/bcapply" examples/quickstart -auto-approve

echo
echo "==> waiting for Job/word-count"
status=""
for _ in $(seq 120); do
  status=$("$bin/bcplan" examples/quickstart -no-color | grep "Job/word-count:" || true)
  case "$status" in *"already succeeded"*|*failed*) break ;; esac
  sleep 0.5
done
echo "$status"
case "$status" in *"already succeeded"*) ;; *) echo "Job/word-count did not succeed" >&2; exit 1 ;; esac

echo
echo "==> bcplan examples/quickstart -detailed-exitcode   (exit 0: nothing left to do)"
"$bin/bcplan" examples/quickstart -detailed-exitcode -no-color | tail -1

echo
echo "==> the job's output, from the engine's object store"
for object in $("$bin/bcctl" oss ls oss://quickstart/logs/ | grep '/stdout\.'); do
  echo "--- $object"
  "$bin/bcctl" oss cat "$object"
done

echo
echo "Done. Binaries: $bin/bcplan $bin/bcapply $bin/bcctl"
echo "Engine state: .bcops/engine (start it again with: $bin/bcctl engine serve --data .bcops/engine)"

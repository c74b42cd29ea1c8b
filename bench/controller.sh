#!/usr/bin/env bash
# The controller benchmark: a repository of 1,000 resources (750 Apps, 250 Clusters with
# desiredCount 0, in 20 files), time from push to Ready and the controller's peak RSS, then
# webhook→apply-start latency over small commits; against Flux's published figure for 1,000
# Kustomizations (fluxcd v2.2 benchmark: 4m15s, 112 MiB).
#
# Usage: bash bench/controller.sh [LATENCY_COMMITS]   (default 20)
# Round 1: `bcctl controller --embedded-engine` (one process). Round 2: `bcctl engine serve`
# and `bcctl controller --endpoint` (two processes), for the controller's own RSS.
# See bench/controller/driver.py for the definitions; bench/README.md for the last figures.
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=$(mktemp -d)
cleanup() {
  # Only what the driver started (it appends each child's pid to WORK/pids).
  if [ -f "$WORK/pids" ]; then
    while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < "$WORK/pids"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# BCOPS_BIN=/dir: that build's bcctl as it is (bench/lib.sh), nothing built here. BENCH_SIZE,
# BENCH_ROUNDS and BENCH_CONTROLLER_JSON go to the driver (bench/scale.sh sets them).
if [ -z "${BCOPS_BIN:-}" ] && ! { swift build -c release --product bcctl && swift build -c release --product bcops-keeper; } > "$WORK/build.log" 2>&1; then
  grep -E "error" "$WORK/build.log" | head -20 >&2
  echo "release build of bcctl failed" >&2
  exit 1
fi

PYTHON=.build-venv/bin/python
[ -x "$PYTHON" ] || PYTHON=python3
"$PYTHON" -c "import batchcompute" 2>/dev/null || { echo "needs the batchcompute SDK (.build-venv, see the test setup)" >&2; exit 1; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
BIN="${BCOPS_BIN:-$PWD/.build/release}"
"$PYTHON" bench/controller/driver.py "$(cd "$BIN" && pwd)/bcctl" "$WORK" "${1:-20}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

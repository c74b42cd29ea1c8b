#!/usr/bin/env bash
# API latency during a 100,000-instance submit (issue #12): get_job in a loop while one job of
# N instances (default 100,000) is created, against the same loop on the idle engine, in the
# same run. Before the fix, 300,000 instances took 22 s and every other call waited 21-23 s.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_sdk_venv
n="${1:-100000}"
for p in bcctl bcops-keeper; do swift build -c release --product "$p" >&2; done
source bench/lib.sh
start_engine
"$BCOPS_SDK_PYTHON" bench/submit.py "$ENGINE_PORT" "$ENGINE_ID" "$ENGINE_SECRET" "$n"

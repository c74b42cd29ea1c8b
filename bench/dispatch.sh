#!/usr/bin/env bash
# Dispatch: one job of N instances (default 1,000) of /bin/true on a cluster of 2 slots,
# submitted and watched through the official SDK, against spawning the same N processes
# with 2-way parallelism (xargs -P2) in the same run. Target: ratio <= 1.5x.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_sdk_venv
n="${1:-1000}"
swift build -c release --product bcctl >&2
data=$(mktemp -d)
log="$data/engine.log"
.build/release/bcctl engine serve --data "$data" --listen 127.0.0.1:0 > "$log" 2>&1 &
engine=$!
trap 'kill $engine 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
id=$(python3 -c "import json;print(json.load(open('$data/credentials.json'))['AccessKeyId'])")
secret=$(python3 -c "import json;print(json.load(open('$data/credentials.json'))['AccessKeySecret'])")

engine_s=$("$BCOPS_SDK_PYTHON" bench/dispatch.py "$port" "$id" "$secret" "$n")
t0=$(date +%s.%N); seq "$n" | xargs -P2 -n1 sh -c /bin/true > /dev/null; t1=$(date +%s.%N)
xargs_sh=$(echo "$t1 - $t0" | bc -l)
t0=$(date +%s.%N); seq "$n" | xargs -P2 -n1 /bin/true > /dev/null; t1=$(date +%s.%N)
xargs_true=$(echo "$t1 - $t0" | bc -l)
printf 'engine, %d instances of /bin/true on 2 slots:   %.3f s\n' "$n" "$engine_s"
printf 'xargs -P2 sh -c /bin/true (same shell per process): %.3f s\n' "$xargs_sh"
printf 'xargs -P2 /bin/true:                            %.3f s\n' "$xargs_true"
printf 'ratio engine / xargs (sh -c):  %.2fx (target <= 1.5x)\n' "$(echo "$engine_s / $xargs_sh" | bc -l)"
printf 'ratio engine / xargs (direct): %.2fx\n' "$(echo "$engine_s / $xargs_true" | bc -l)"

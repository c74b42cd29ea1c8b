#!/usr/bin/env bash
# The client's libcurl transport against the swift-nio transport it replaced, in one run, on one
# release engine (the peer's: the server is the fixed part, only the clients differ):
# (1) bench/api.sh-sized work through BatchComputeClient: COUNT signed
# GET /jobs/{id} (default 20,000) from CALLERS concurrent callers (default 16) against an engine
# holding 10,000 jobs (`bcbench client-gets`); (2) the one large answer a plan reads,
# GET /bcops/inventory of 10,000 resources, 100 times from 4 callers; (3) bench/plan.sh-sized
# work: a no-op `bcplan` of the same 10,000 resources, best of 5 each. Each case alternates
# the two builds, 3 rounds (5 for the plan), and prints the best of each and the ratio, for the
# wall time and for the client process's CPU time (the engine shares the 2 cores, so the wall
# time of (1) and (2) is mostly the engine's).
#
# The peer is commit 16fc05a (the last with the swift-nio transport), built in release mode in a
# git worktree at .build/transport-peer with this tree's Sources/bcbench/ClientGets.swift added
# (it uses only BatchComputeClient's public calls, so it compiles there unchanged) and this
# tree's Package.resolved (the same dependency versions). The first run builds it (~15 min on
# 2 cores); later runs reuse it. PEER_BIN=DIR uses a directory holding such a bcbench, bcplan,
# bcapply, bcctl and bcops-keeper.
# NOW_BIN=DIR measures the bcbench and bcplan in DIR instead of this tree's release build (e.g. a
# build of 16fc05a with only the transport changed, to see the transport alone).
#
#   bash bench/transport.sh [COUNT] [CALLERS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_apt time bc
count="${1:-20000}"
callers="${2:-16}"
resources=10000
peer_commit=16fc05a

if [ -n "${PEER_BIN:-}" ]; then
  peer="$PEER_BIN"
else
  src=.build/transport-peer
  [ -d "$src" ] || git worktree add --detach "$src" "$peer_commit" >&2
  cp Sources/bcbench/ClientGets.swift "$src/Sources/bcbench/ClientGets.swift"
  grep -q '"client-gets"' "$src/Sources/bcbench/main.swift" || sed -i 's/^case "manifests":$/case "client-gets":\n    try await ClientGets.run(dir: args[2], count: Int(args[3]) ?? 20_000, concurrency: Int(args[4]) ?? 16,\n                             kind: args.count > 5 ? args[5] : "jobs")\ncase "manifests":/' "$src/Sources/bcbench/main.swift"
  [ -f Package.resolved ] && cp Package.resolved "$src/Package.resolved"
  for p in bcbench bcplan bcapply bcctl bcops-keeper; do (cd "$src" && swift build -c release --product "$p" >&2); done
  peer="$src/.build/release"
fi
if [ -n "${NOW_BIN:-}" ]; then
  now="$NOW_BIN"
else
  for p in bcbench bcplan; do swift build -c release --product "$p" >&2; done
  now=.build/release
fi

# One engine for every case: 10,000 jobs (waiting on a 0-node cluster) and 10,000 resources,
# applied by the peer's bcapply (setup, not measured).
data=$(mktemp -d)
"$peer/bcbench" api-populate "$data" 10000 >&2
"$peer/bcctl" engine serve --data "$data" --listen 127.0.0.1:0 > "$data/engine.log" 2>&1 &
engine=$!
trap 'kill $engine 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do [ -s "$data/endpoint" ] && break; sleep 0.1; done
export BCOPS_DATA="$data" BCOPS_ENDPOINT="" BCOPS_ACCESS_KEY_ID="" BCOPS_ACCESS_KEY_SECRET=""
python3 bench/estate.py "$data/estate" "$resources"
echo "applying $resources resources (setup)..." >&2
"$peer/bcapply" "$data/estate" -auto-approve -no-color -parallelism 16 | tail -1 >&2
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# One bcbench client-gets run: its line, then the client process's CPU seconds (user + system).
gets_once() {  # BCBENCH KIND COUNT CALLERS
  /usr/bin/time -f "%U %S" -o "$data/cpu" "$1" client-gets "$data" "$3" "$4" "$2"
  awk '{ printf "  client CPU %.2f s\n", $1 + $2 }' "$data/cpu"
}
# The smallest of the numbers matched by SED_EXPR in the lines on stdin.
least() { sed -n "$1" | sort -g | head -1; }

run_gets() {  # KIND COUNT CALLERS ROUNDS LABEL
  local kind=$1 n=$2 c=$3 rounds=$4 label=$5 nio="" curl=""
  for _ in $(seq "$rounds"); do
    nio+=$(gets_once "$peer/bcbench" "$kind" "$n" "$c" | paste -sd' ')$'\n'
    curl+=$(gets_once "$now/bcbench" "$kind" "$n" "$c" | paste -sd' ')$'\n'
  done
  printf '%s' "$nio" | sed "s/^/  swift-nio (16fc05a): /"
  printf '%s' "$curl" | sed "s/^/  libcurl (this tree): /"
  local wall='s/.*callers: \([0-9.]*\) s,.*/\1/p' cpu='s/.*client CPU \([0-9.]*\) s.*/\1/p'
  local nw cw nc cc
  nw=$(printf '%s' "$nio" | least "$wall") cw=$(printf '%s' "$curl" | least "$wall")
  nc=$(printf '%s' "$nio" | least "$cpu") cc=$(printf '%s' "$curl" | least "$cpu")
  printf '%s, best of %d: wall swift-nio %.3f s, libcurl %.3f s (ratio libcurl / swift-nio %.2fx); ' \
    "$label" "$rounds" "$nw" "$cw" "$(echo "$cw / $nw" | bc -l)"
  printf 'client CPU swift-nio %.2f s, libcurl %.2f s (%.2fx); below 1: libcurl faster\n' "$nc" "$cc" "$(echo "$cc / $nc" | bc -l)"
}

echo "== GET /jobs/{id}: $count calls, $callers callers, through BatchComputeClient"
run_gets jobs "$count" "$callers" 3 "GET /jobs/{id}"
echo "== GET /bcops/inventory ($resources resources): 100 calls, 4 callers"
run_gets inventory 100 4 3 "GET /bcops/inventory"

echo "== no-op bcplan of $resources resources (best of 5 each, taking turns)"
time_one() {  # prints: wall seconds, peak RSS KiB, CPU seconds
  /usr/bin/time -f "%e %M %U %S" -o "$data/time" "$@" > "$data/out" 2>&1 || true  # its last line is printed below
  awk '{ print $1, $2, $3 + $4 }' "$data/time"
}
nio=999 curl=999 niocpu=999 curlcpu=999
for _ in 1 2 3 4 5; do
  read -r t nrss u < <(time_one "$peer/bcplan" "$data/estate" -no-color)
  nio=$(echo "if ($t < $nio) $t else $nio" | bc -l) niocpu=$(echo "if ($u < $niocpu) $u else $niocpu" | bc -l)
  read -r t crss u < <(time_one "$now/bcplan" "$data/estate" -no-color)
  curl=$(echo "if ($t < $curl) $t else $curl" | bc -l) curlcpu=$(echo "if ($u < $curlcpu) $u else $curlcpu" | bc -l)
done
tail -1 "$data/out"
printf '  swift-nio (16fc05a) bcplan: %.2f s, CPU %.2f s, peak RSS %d MB\n' "$nio" "$niocpu" "$((nrss / 1024))"
printf '  libcurl (this tree) bcplan: %.2f s, CPU %.2f s, peak RSS %d MB\n' "$curl" "$curlcpu" "$((crss / 1024))"
printf 'no-op plan, best of 5: wall ratio libcurl / swift-nio %.2fx, CPU %.2fx (below 1: libcurl faster)\n' \
  "$(echo "$curl / $nio" | bc -l)" "$(echo "$curlcpu / $niocpu" | bc -l)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# The manifest benchmark in instructions instead of seconds (valgrind --tool=callgrind):
# repeatable on a shared or noisy machine. Counts one single-threaded load of the
# 10,000-manifest corpus against one bare libyaml event parse of the same files.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
swift build -c release --product bcbench >&2
out=$(mktemp -d)
valgrind --tool=callgrind --callgrind-out-file="$out/bare.out" .build/release/bcbench load1 --bare >/dev/null 2>&1
valgrind --tool=callgrind --callgrind-out-file="$out/load.out" .build/release/bcbench load1 >/dev/null 2>&1
bare=$(callgrind_annotate --inclusive=yes "$out/bare.out" | grep -m1 'bareParse' | awk '{print $1}' | tr -d ,)
load=$(callgrind_annotate --inclusive=yes "$out/load.out" | grep -m1 'ManifestLoaderV4load5paths' | awk '{print $1}' | tr -d ,)
echo "libyaml events only (the limit): $bare instructions"
echo "bcops load + validate, 1 thread: $load instructions"
python3 -c "print(f'ratio bcops / libyaml (instructions): {$load/$bare:.2f}x (target <= 3x)')"
rm -rf "$out"

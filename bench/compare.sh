#!/usr/bin/env bash
# Before/after: runs bench/plan.sh, bench/dispatch.sh, bench/api.sh and bench/controller.sh
# against an older build and this one, in one run, taking turns (old, new) so a burst of load
# on this shared machine does not land on one side only, and prints one table.
#
# Usage: bash bench/compare.sh REV_OR_DIR [plan dispatch api controller]
#   REV_OR_DIR: a git revision (built in release mode in .build/compare/REV, once) or a
#   directory holding that build's bcctl, bcops-keeper, bcplan, bcapply and bcbench.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: bench/compare.sh REV_OR_DIR [bench ...]}"
shift
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(plan dispatch api controller)

if [ -d "$base" ]; then
  old_bin=$(cd "$base" && pwd)
else
  rev=$(git rev-parse --short "$base")
  tree="$PWD/.build/compare/$rev"
  if [ ! -x "$tree/.build/release/bcbench" ]; then
    rm -rf "$tree"
    git worktree add -f --detach "$tree" "$rev" >&2
    for p in bcctl bcops-keeper bcplan bcapply bcbench; do (cd "$tree" && swift build -c release --product "$p" >&2); done
  fi
  old_bin="$tree/.build/release"
fi
for p in bcctl bcops-keeper bcplan bcapply bcbench; do swift build -c release --product "$p" >&2; done
new_bin="$PWD/.build/release"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One figure per benchmark, pulled from its own report.
figure() {
  case "$1" in
    plan) sed -n 's/^ratio plan \/ validate: \([0-9.]*\)x.*/\1× validate/p' ;;
    dispatch) sed -n 's/^ratio engine \/ xargs, plain command line: *\([0-9.]*\)x.*/\1× xargs/p' ;;
    api) grep -m1 'Requests/sec' | awk '{printf "%d gets/s\n", $2}' ;;
    controller) grep -m1 '^push→Ready' | sed 's/^push→Ready 1000 resources: \([0-9.]* s\).*/\1 push→Ready/' ;;
  esac
}
for b in "${benches[@]}"; do
  for side in old new; do
    bin=$old_bin; [ "$side" = new ] && bin=$new_bin
    echo "== $b ($side: $bin)" >&2
    BCOPS_BIN="$bin" bash "bench/$b.sh" > "$out/$b.$side" 2>"$out/$b.$side.err" || { tail -5 "$out/$b.$side.err" >&2; }
    cat "$out/$b.$side" >&2
  done
done
printf '\n| benchmark | before | after | target |\n|---|---|---|---|\n'
for b in "${benches[@]}"; do
  case "$b" in
    plan) target="≤ 1.7× validate" ;; dispatch) target="≤ 1.2× xargs" ;;
    api) target="≥ 2,000 gets/s" ;; controller) target="reported (Flux: 255 s)" ;;
  esac
  printf '| %s | %s | %s | %s |\n' "$b" "$(figure "$b" < "$out/$b.old")" "$(figure "$b" < "$out/$b.new")" "$target"
done

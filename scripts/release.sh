#!/usr/bin/env bash
# Build the release binaries into release/bin, and write the man pages (release/man/man1) and
# the shell completion scripts (release/completions) from the binaries themselves.
#
#   bash scripts/release.sh                          # swift build -c release, then everything
#   bash scripts/release.sh --out DIR                # somewhere else than release/
#   bash scripts/release.sh --man-only --bin DIR     # no build: pages and completions of the
#                                                    # binaries in DIR (the tests use this)
#
# Man pages come from swift-argument-parser's generate-manual tool (built with the package,
# offline, from its checkout), one page per command and subcommand: bcplan.1, bcplan.plan.1,
# bcctl.controller.run.1, … Without that tool, each command's --help is wrapped in a plain
# roff page instead. Read one with `man -l release/man/man1/bcplan.plan.1`, or install them
# with MANPATH=$PWD/release/man.
set -euo pipefail
cd "$(dirname "$0")/.."

out=release
bin=""
man_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --man-only) man_only=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done

# The executables a user runs (bcbench is the benchmarks' own).
tools=(bcplan bcapply bcctl)
helpers=(bcops-keeper)

if [ "$man_only" -eq 0 ]; then
  source scripts/lib.sh
  need_swift
  for product in "${tools[@]}" "${helpers[@]}"; do
    if grep -q "name: \"$product\"" Package.swift; then
      echo "==> swift build -c release --product $product" >&2
      swift build -c release --product "$product" >&2
    fi
  done
  swift build -c release --product generate-manual >&2 || echo "warning: generate-manual did not build; man pages from --help" >&2
  bin="$(swift build -c release --show-bin-path)"
  mkdir -p "$out/bin"
  for product in "${tools[@]}" "${helpers[@]}"; do
    [ -x "$bin/$product" ] && install -m 0755 "$bin/$product" "$out/bin/$product"
  done
fi
[ -n "$bin" ] || { echo "error: --man-only needs --bin DIR (the directory of the built bcplan, bcapply and bcctl)" >&2; exit 64; }
for tool in "${tools[@]}"; do
  [ -x "$bin/$tool" ] || { echo "error: $bin/$tool is not built" >&2; exit 1; }
done

version="$("$bin/bcctl" version)"
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || true)"
mkdir -p "$out"
echo "bcops $version${commit:+ (commit $commit$(git diff --quiet HEAD 2>/dev/null || echo ", modified"))}" > "$out/VERSION"

# Man pages.
man="$out/man/man1"
rm -rf "$man"
mkdir -p "$man"
generate_manual="${GENERATE_MANUAL:-$bin/generate-manual}"
date="$(date -u +%Y-%m-%d)"
for tool in "${tools[@]}"; do
  if [ -x "$generate_manual" ]; then
    "$generate_manual" "$bin/$tool" --multi-page --date "$date" --authors "bcops" --output-directory "$man"
  else
    # A plain page: the --help text, verbatim.
    {
      echo ".TH $(echo "$tool" | tr '[:lower:]' '[:upper:]') 1 $date \"bcops $version\""
      echo ".SH NAME"
      echo "$tool \\- $("$bin/$tool" --help | sed -n 's/^OVERVIEW: //p' | head -n 1)"
      echo ".SH DESCRIPTION"
      echo ".nf"
      "$bin/$tool" --help | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
      echo ".fi"
    } > "$man/$tool.1"
  fi
done
# ArgumentParser's `help` subcommand gets a page of its own: it says nothing man does not.
rm -f "$man"/*.help.1

# Shell completion scripts (see docs/commands/completion.md).
completions="$out/completions"
mkdir -p "$completions/bash" "$completions/zsh" "$completions/fish"
for tool in "${tools[@]}"; do
  "$bin/$tool" --generate-completion-script bash > "$completions/bash/$tool"
  "$bin/$tool" --generate-completion-script zsh > "$completions/zsh/_$tool"
  "$bin/$tool" --generate-completion-script fish > "$completions/fish/$tool.fish"
done

echo "==> $out: $(cat "$out/VERSION"); $(ls "$man" | wc -l) man pages in $man; completions in $completions${bin:+; binaries from $bin}" >&2

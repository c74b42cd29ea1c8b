#!/usr/bin/env bash
# Build the loader with libFuzzer (swiftc -sanitize=fuzzer,address) and fuzz it.
# Arguments go to libFuzzer, e.g.  fuzz/run.sh -max_total_time=60   or   -runs=100000
# The corpus starts from examples/ and the malformed corpus; crashes land in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
work=".build-fuzz"
mkdir -p "$work/src" "$work/corpus" fuzz/artifacts
rm -f "$work/src"/*.swift
# BCJSON, BCModel and BCManifest compiled as one module: drop the cross-module imports.
for f in Sources/BCJSON/*.swift Sources/BCModel/*.swift Sources/BCManifest/*.swift; do
  sed '/^import BCModel$/d; /^import BCJSON$/d; /^@_exported import BCJSON$/d' "$f" > "$work/src/$(basename "$(dirname "$f")")_$(basename "$f")"
done
cp fuzz/LoaderFuzzer.swift "$work/src/"
if [ ! -x "$work/loader-fuzzer" ] || [ -n "$(find Sources/BCJSON Sources/BCModel Sources/BCManifest fuzz -newer "$work/loader-fuzzer" -name '*.swift')" ]; then
  echo "==> swiftc -sanitize=fuzzer,address (about a minute)" >&2
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name BCFuzz \
    -Xcc -fmodule-map-file=Sources/CLibYAML/module.modulemap -I Sources/CLibYAML \
    "$work"/src/*.swift -o "$work/loader-fuzzer"
fi
find examples Tests/BCManifestTests/Corpus -name '*.yaml' -exec cp {} "$work/corpus/" \;
# LeakSanitizer would report the process-wide schema cache (built once, kept for the
# process's life) at exit; a leak per input shows up as growth past -rss_limit_mb instead.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
exec "$work/loader-fuzzer" -rss_limit_mb=2048 -timeout=10 -max_len=65536 -artifact_prefix=fuzz/artifacts/ "$work/corpus" "$@"

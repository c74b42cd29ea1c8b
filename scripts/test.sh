#!/usr/bin/env bash
# Install what is missing, build, and run every test (XCTest and Swift Testing) once.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
install_dependencies
need_pip "jsonschema>=4.18" pyyaml

# The loader fuzz test's iteration count (bounded, so CI time is bounded).
export BCOPS_FUZZ_ITERATIONS="${BCOPS_FUZZ_ITERATIONS:-5000}"
echo "==> swift test" >&2
swift test

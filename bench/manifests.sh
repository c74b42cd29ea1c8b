#!/usr/bin/env bash
# Load and validate 10,000 manifests (~5 MB in 1,000 files) against libyaml's bare event
# parse of the same bytes, in one run; prints both and the ratio (target <= 3x).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product bcbench >&2
exec .build/release/bcbench manifests "${1:-10000}"

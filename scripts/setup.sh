#!/usr/bin/env bash
# The main job on the embedded default: install what is missing, build bcops, then
# validate every example repository and print what it declares (the plan-free summary).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
install_dependencies

echo "==> swift build" >&2
swift build --product bcplan >&2
swift build --product bcctl >&2
swift build --product bcapply >&2
bin="$(swift build --show-bin-path)"

echo "==> bcplan validate examples"
"$bin/bcplan" validate examples
echo
echo "==> bcctl summary examples"
"$bin/bcctl" summary examples
echo
echo "Binaries: $bin/bcplan $bin/bcapply $bin/bcctl"

#!/usr/bin/env bash
# Install what is missing, build, and run every test (XCTest and Swift Testing) once.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
install_dependencies
need_apt blender  # the render farm tests render with the real Blender
need_apt openssh-server openssh-client  # the BCGit ssh:// tests run a real sshd on loopback
need_apt openssl  # BCClientTests make their own CA and server certificate with the openssl CLI
need_pip "jsonschema>=4.18" pyyaml prometheus_client
need_workflow_venv
need_cromwell_clients  # cromshell and cromwell-tools for the Cromwell API tests
need_browser_test  # headless Chromium + Selenium for the dashboard's browser test
# The gridengine and slurm executor suites run against real schedulers on this host.
need_gridengine
need_slurm

# The loader fuzz test's iteration count (bounded, so CI time is bounded).
export BCOPS_FUZZ_ITERATIONS="${BCOPS_FUZZ_ITERATIONS:-5000}"

# libFuzzer over the loader and formatter, bounded in runs and time.
echo "==> fuzz/run.sh (libFuzzer, bounded)" >&2
bash fuzz/run.sh -runs="${BCOPS_LIBFUZZER_RUNS:-200000}" -max_total_time=120 -print_final_stats=1 2>&1 | tail -n 4

# The workflow backend's own unit tests (runtime attributes, layout, plan-time inspection);
# the Swift suites below run it end to end through the engine.
.build-venv/bin/python -c "import pytest" 2>/dev/null || .build-venv/bin/pip install --quiet pytest
echo "==> pytest python/miniwdl-bcops/tests" >&2
.build-venv/bin/python -m pytest -q python/miniwdl-bcops/tests 2>&1 | tail -n 3

# Last, so the test runner's summary closes the output.
# --no-parallel: Swift Testing runs the suites one after another, so the end-to-end suites
# (real Blender, real controller processes, real servers) do not compete for the 2 cores and
# their latency checks (a webhook applied within 2 s) measure bcops, not the neighbours.
# The man pages of scripts/release.sh come from swift-argument-parser's generate-manual, which
# `swift test` does not build on its own (HelpAndVersionTests runs the script).
echo "==> swift build --product generate-manual" >&2
swift build --product generate-manual >&2
echo "==> swift test --no-parallel" >&2
swift test --no-parallel

#!/usr/bin/env bash
# Screenshots of the dashboard's main pages (docs/images/dashboard-*.png), taken by the browser
# test (Tests/BCDashboardTests/BrowserTests) in headless Chromium against a real engine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_browser_test
mkdir -p docs/images
swift build --build-tests >&2
BCOPS_SCREENSHOTS="$PWD/docs/images" swift test --skip-build --filter BrowserTests
ls -l docs/images/dashboard-*.png

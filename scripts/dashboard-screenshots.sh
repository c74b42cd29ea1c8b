#!/usr/bin/env bash
# Screenshots of the dashboard's main pages (docs/images/dashboard-*.png), taken by the browser
# tests in headless Chromium: BrowserTests (the Render Manager's pages, against a real engine) and
# EstateBrowserTests (images, clusters, Apps, SGE, workflow runs and Sync, against a real
# controller serving the dashboard). The filter is a pattern: it runs both.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_browser_test
mkdir -p docs/images
swift build --build-tests >&2
BCOPS_SCREENSHOTS="$PWD/docs/images" swift test --skip-build --filter BrowserTests
ls -l docs/images/dashboard-*.png

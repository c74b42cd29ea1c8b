# Shared by setup.sh and test.sh: install what is missing, idempotently, as root or via sudo.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "error: need root or sudo to run: $*" >&2; exit 1; fi
}

# Debian packages the build and tests need (system libraries bcops links, Python for the schema check).
need_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install ${missing[*]}" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

# Python packages for the third-party schema check, installed only when absent.
need_pip() {
  local missing=()
  for spec in "$@"; do
    local module="${spec%%=*}"; module="${module%%[<>]*}"
    case "$module" in pyyaml) module=yaml ;; esac
    python3 -c "import $module" 2>/dev/null || missing+=("$spec")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> pip install ${missing[*]}" >&2
    python3 -m pip install --quiet "${missing[@]}" 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages "${missing[@]}"
  fi
}

need_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
      [ -x "$dir/swift" ] && export PATH="$dir:$PATH" && break
    done
  fi
  command -v swift >/dev/null 2>&1 || { echo "error: bcops needs a Swift 6 toolchain on PATH (swift.org/install)" >&2; exit 1; }
}

install_dependencies() {
  need_apt libyaml-dev libgit2-dev libcurl4-openssl-dev libxml2 git pkg-config libsqlite3-dev libssl-dev python3 python3-pip procps util-linux mount tar
  need_swift
}

# The official BatchCompute SDK and CLI in a venv of their own (.build-venv): their sdists
# need --no-build-isolation on Python 3.11 (see the API reference, section 13.1).
need_sdk_venv() {
  local venv=".build-venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import batchcompute, batchcompute_cli" 2>/dev/null; then
    echo "==> python venv with batchcompute 2.1.7 and batchcompute-cli 1.7.7" >&2
    need_apt python3-venv
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet wheel
    "$venv/bin/pip" install --quiet --no-build-isolation batchcompute==2.1.7 batchcompute-cli==1.7.7
  fi
  export BCOPS_SDK_PYTHON="$PWD/$venv/bin/python"
}

# The dashboard's browser test (Tests/BCDashboardTests/BrowserTests): Debian's chromium and
# chromium-driver, and Selenium from PyPI in .build-venv (installed only when missing).
need_browser_test() {
  need_apt chromium chromium-driver fonts-wqy-zenhei  # the font: the pages' Chinese labels in screenshots
  need_sdk_venv
  if ! .build-venv/bin/python -c "import selenium" 2>/dev/null; then
    echo "==> python venv: selenium" >&2
    .build-venv/bin/pip install --quiet "selenium>=4.20,<5" >&2
  fi
}

# miniwdl 1.16 and bcops' backend for it (python/miniwdl-bcops) in the same venv, which the
# engine's `cromwell` App finds (bcctl workflow runner), plus the Debian tools the example
# workflows call. Reinstalled when the package's sources change (their hash is kept in the venv).
need_workflow_venv() {
  need_sdk_venv
  local venv=".build-venv" stamp hash
  stamp="$venv/.miniwdl-bcops.sha256"
  hash=$(find python/miniwdl-bcops -type f -not -path '*/__pycache__/*' -not -path '*.egg-info*' -print0 | sort -z \
         | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  if ! "$venv/bin/python" -c "import WDL, bcops_miniwdl" 2>/dev/null || [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]; then
    echo "==> python venv: miniwdl 1.16 and python/miniwdl-bcops" >&2
    "$venv/bin/pip" install --quiet "miniwdl==1.16.*" >&2
    # setuptools' build/ beside the sources would be installed instead of sources older than it
    rm -rf python/miniwdl-bcops/build python/miniwdl-bcops/*.egg-info
    "$venv/bin/pip" install --quiet --no-build-isolation --no-deps --force-reinstall ./python/miniwdl-bcops >&2
    echo "$hash" > "$stamp"
  fi
  need_apt bwa samtools bcftools
}

# Cromwell's own clients, for the Cromwell API's tests (Tests/BCCromwellTests) and
# bench/cromwell.sh: cromshell 2.x in .build-venv, and cromwell-tools in a venv of its own,
# .build-venv-cromwell-tools, because it pins google-auth 1.x and google-api-python-client 1.x
# where cromshell needs google-auth 2.x (in one venv pip backtracks without end). Plus zip and
# unzip (a submission's imports) and curl.
need_cromwell_clients() {
  need_workflow_venv
  need_apt zip unzip curl
  if ! .build-venv/bin/python -c "import cromshell" 2>/dev/null; then
    echo "==> python venv: cromshell 2.1.1" >&2
    .build-venv/bin/pip install --quiet "cromshell==2.1.1" >&2
  fi
  local tools=".build-venv-cromwell-tools"
  if [ ! -x "$tools/bin/cromwell-tools" ]; then
    echo "==> python venv $tools: cromwell-tools 2.4.1" >&2
    rm -rf "$tools"
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet "cromwell-tools==2.4.1" "google-auth>=1.35,<2" "google-api-python-client>=1.12,<2" \
      "google-api-core>=2.10,<2.11" "protobuf>=4.25,<5" >&2
  fi
}

# Grid Engine and Slurm on this host, installed and started once (idempotent: a second call
# only re-applies the configuration), for the engine's gridengine and slurm executors and
# their tests (scripts/gridengine.sh, scripts/slurm.sh).
need_gridengine() {
  echo "==> scripts/gridengine.sh up" >&2
  as_root bash scripts/gridengine.sh up >&2
}

need_slurm() {
  echo "==> scripts/slurm.sh up" >&2
  as_root bash scripts/slurm.sh up >&2
}

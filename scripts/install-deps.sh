#!/usr/bin/env bash
# Installs everything attnscope needs from Debian packages (and npm, for browser tests only).
# Idempotent: packages already present are not reinstalled; safe to run before every build.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ccache pkg-config
  libtorch-dev                     # the numerical engine (CPU, Debian 12: 1.13)
  libopenblas0-pthread             # fast BLAS behind libtorch (Debian defaults to reference BLAS: 25x slower)
  nlohmann-json3-dev               # JSON for headers, configs, metadata
  libcairo2-dev fonts-dejavu-core  # static figures (PNG, SVG, PDF)
  libgtest-dev                     # unit tests
  libopenmpi-dev openmpi-bin       # attnscope stats across processes (mpirun -np N)
  zlib1g-dev                       # inflating compressed .npz files (attnscope import)
  libsentencepiece-dev             # MarianMT's SentencePiece tokenizers (source.spm, target.spm)
  python3-torch python3-numpy      # benchmarks and cross-checks against PyTorch / numpy
  python3-matplotlib               # bench/render draws the same figures with matplotlib
  pybind11-dev python3-dev python3-pytest   # the Python package (make python) and its tests
  python3-venv python3-pip         # pip install . into a fresh venv (tests/python/pip_install.sh)
  python3-yaml python3-requests python3-packaging   # what transformers imports from the system, in .venv (tests/python/parity)
  python3-nbclient python3-ipykernel python3-nbconvert   # examples/attention.ipynb run headless (tests/python/notebook.sh)
  libcpp-httplib-dev               # attnscope serve: header-only HTTP server
  chromium nodejs                  # viewer tests and bench: headless Chromium driven from node
  clang-15 libfuzzer-15-dev        # make fuzz: libFuzzer targets with ASan + UBSan (fuzz/)
)
# npm comes with some nodejs builds (NodeSource); Debian's own npm package would conflict there.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# playwright-core (browser tests only) into the repo's node_modules; it drives /usr/bin/chromium and
# never downloads a browser. Also bertviz's CDN scripts (require.js, d3, jquery), which bench/python
# serves to the browser from here. Skipped when node_modules matches package-lock.json; a failure
# here only skips those tests.
cd "$(dirname "$0")/.."
if { [ ! -f node_modules/playwright-core/package.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; } &&
   command -v npm >/dev/null 2>&1; then
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error || echo "install-deps: npm ci failed; browser tests will be skipped"
  else
    npm install --no-audit --no-fund --loglevel=error || echo "install-deps: npm install failed; browser tests will be skipped"
  fi
fi

# PyPI, for the Python side only: the pinned build requirements of `pip install .`, kept as wheels
# so that the test installing attnscope into a fresh venv needs no network. A failure here only
# skips that test; `make run` never needs it.
wheels=.cache/wheels
if [ ! -f "$wheels/.complete" ] || [ python/requirements-build.txt -nt "$wheels/.complete" ]; then
  mkdir -p "$wheels"
  if /usr/bin/python3 -m pip download --quiet --no-deps -d "$wheels" -r python/requirements-build.txt 2>/dev/null ||
     python3 -m pip download --quiet --no-deps -d "$wheels" -r python/requirements-build.txt; then
    touch "$wheels/.complete"
  else
    echo "install-deps: could not download the Python build requirements; tests/python/pip_install.sh will be skipped"
  fi
fi

# PyPI, for the reference side of the tests only: a venv (.venv) that sees Debian's python3-torch
# and holds the pinned Hugging Face `transformers` and `tokenizers` (python/requirements-reference.txt).
# The parity tests (tests/python/parity/) and bench/tokenizers use it; without it they are skipped.
venv=.venv
if [ ! -f "$venv/.complete" ] || [ python/requirements-reference.txt -nt "$venv/.complete" ]; then
  if { [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$venv"; } &&
     "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r python/requirements-reference.txt; then
    touch "$venv/.complete"
  else
    echo "install-deps: could not install python/requirements-reference.txt into $venv; the transformers parity tests will be skipped"
  fi
fi

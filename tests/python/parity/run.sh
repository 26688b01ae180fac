#!/usr/bin/env bash
# The transformers parity suite (tests/python/parity) in the project's venv, which
# scripts/install-deps.sh makes; without it (no PyPI) the suite is skipped, saying so.
# Usage: tests/python/parity/run.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)"
py="$root/.venv/bin/python"
if [ ! -x "$py" ] || ! "$py" -c "import transformers" 2>/dev/null; then
  echo "skipped: .venv with transformers not found (scripts/install-deps.sh makes it from PyPI)"
  exit 0
fi
if [ ! -d "$build/python/attnscope" ]; then
  echo "skipped: the Python package is not built ($build/python)"
  exit 0
fi
cd "$here"
export PYTHONPATH="$build/python" ATTNSCOPE_BUILD_DIR="$build" ATTNSCOPE_SOURCE_DIR="$root" TRANSFORMERS_VERBOSITY=error HF_HUB_OFFLINE=1
exec "$py" -m pytest -q -p no:cacheprovider "$here"

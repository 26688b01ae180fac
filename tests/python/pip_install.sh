#!/usr/bin/env bash
# `pip install .` into a fresh virtual environment, as a Python user installs attnscope, then
# `import attnscope` from outside the source tree: a set from NumPy, a figure, a model run.
# Build requirements come from the wheels scripts/install-deps.sh keeps in .cache/wheels (no
# network here); the venv sees Debian's numpy (--system-site-packages).
set -uo pipefail
SRC=${ATTNSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=${PYTHON:-/usr/bin/python3}
WHEELS=$SRC/.cache/wheels
if [ ! -f "$WHEELS/.complete" ]; then echo "skipped: no build wheels in .cache/wheels (scripts/install-deps.sh downloads them)"; exit 0; fi
"$PY" -c 'import venv, numpy' 2>/dev/null || { echo "skipped: $PY lacks venv or numpy (python3-venv, python3-numpy)"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$PY" -m venv --system-site-packages "$T/venv" || { echo "FAIL: python3 -m venv"; exit 1; }
start=$SECONDS
if ! "$T/venv/bin/pip" install --quiet --no-index --find-links "$WHEELS" "$SRC" > "$T/pip.log" 2>&1; then
  echo "FAIL: pip install . :"; tail -30 "$T/pip.log"; exit 1
fi
echo "ok   pip install . into a fresh venv ($((SECONDS - start)) s)"
cd "$T" || exit 1
"$T/venv/bin/python" - "$T" "$SRC/tests/fixtures/tiny-gpt2" <<'PY' || exit 1
import os, sys
import numpy as np
import attnscope
root, gpt2 = sys.argv[1], sys.argv[2]
assert attnscope.__file__.startswith(os.path.join(root, "venv")), attnscope.__file__
s = attnscope.from_attentions([np.full((1, 2, 3, 3), 1 / 3, np.float32)], ["a", "b", "c"])
assert s.render("grid", None).startswith(b"\x89PNG")
r = attnscope.load(gpt2).run("The cat sat on the mat", max_new_tokens=3)
assert r.attention.kinds == ["decoder-self"], r.attention.kinds
print("ok   import attnscope from the venv:", attnscope.__file__)
PY

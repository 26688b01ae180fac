#!/usr/bin/env bash
# examples/attention.ipynb as a user runs it: executed headless (Debian's python3-nbclient and
# python3-ipykernel, with build/python on the kernel's path), converted to HTML (python3-nbconvert)
# and opened from file:// in headless Chromium (playwright-core): the inline viewer drew every
# layer x head, clicking a thumbnail shows that head, the hover read-out equals the array value,
# and nothing was requested from another host. Skips, and says so, when a tool is missing.
# usage: notebook.sh BUILD_DIR   (env: ATTNSCOPE_SOURCE_DIR, PYTHON)
set -uo pipefail
BUILD=$(realpath "$1")
SRC=${ATTNSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=${PYTHON:-/usr/bin/python3}
BIN=$BUILD/attnscope
source "$SRC/tests/web/lib.sh"
web_requirements || exit 0
"$PY" -c 'import nbclient, nbconvert, ipykernel' 2>/dev/null || { echo "skipped: python3-nbclient, python3-nbconvert or python3-ipykernel missing"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PYTHONPATH=$BUILD/python ATTNSCOPE_SOURCE_DIR=$SRC PYDEVD_DISABLE_FILE_VALIDATION=1
timeout 300 "$PY" - "$SRC/examples/attention.ipynb" "$T" <<'PY' || { echo "FAIL: the notebook did not run"; exit 1; }
import os, sys
import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
src, out = sys.argv[1], sys.argv[2]
nb = nbformat.read(src, as_version=4)
NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(src)}}).execute()
for c in nb.cells:
    for o in c.get("outputs", []):
        assert o.get("output_type") != "error", "".join(o.get("traceback", []))[-2000:]
nbformat.write(nb, os.path.join(out, "attention.ipynb"))
# The "basic" template: the cells without the full page's links to requirejs and MathJax, which
# Debian serves from /usr/share/javascript only when libjs-* packages are installed.
body, _ = HTMLExporter(template_name="basic").from_notebook_node(nb)
page = "<!doctype html><html><head><meta charset='utf-8'><title>attention.ipynb</title></head><body>" + body + "</body></html>"
open(os.path.join(out, "attention.html"), "w", encoding="utf-8").write(page)
print("ok   executed examples/attention.ipynb and converted it to HTML")
PY
# What the viewer must read out: tiny-bert's layer 2, head 3, query 1, key 2 on the notebook's input.
expected=$("$PY" -c '
import os, attnscope
r = attnscope.load(os.path.join(os.environ["ATTNSCOPE_SOURCE_DIR"], "tests/fixtures/tiny-bert")).run("the cat [MASK] on the mat")
print(float(r.attention.weights("encoder-self", 1)[2, 1, 2]))') || { echo "FAIL: expected value"; exit 1; }
NODE_PATH="$SRC/node_modules" timeout -k 3 120 node "$SRC/tests/python/notebook.test.mjs" "$T/attention.html" "$expected" "$BUILD/web-screenshots"
